/** @module Store contract: named locks — exclusive and shared holders, waiting and trying. */
import { describe, expect, it } from 'vitest'
import { sharedStore, uid, type StoreFactory } from './harness.js'

/** A promise the test resolves by hand. */
function gate(): { readonly opened: Promise<void>; open: () => void } {
  let open = () => {}
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Fails instead of hanging when `promise` does not settle in time (two holders that should overlap, but do not). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, pause(ms).then(() => Promise.reject(new Error(`${what} did not happen within ${ms} ms`)))])
}

export function lockContract(make: StoreFactory): void {
  describe('locks', () => {
    const store = sharedStore(make)

    it('never lets two holders of one key overlap, and serves them all', async () => {
      const key = uid('lock')
      let inside = 0
      let most = 0
      const done = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store().withLock(key, async () => {
            most = Math.max(most, ++inside)
            await pause(15)
            inside--
            return i
          }),
        ),
      )
      expect(most).toBe(1)
      expect(done).toEqual([0, 1, 2, 3, 4, 5])
    })

    it('lets holders of different keys run at once', async () => {
      const second = gate()
      const first = store().withLock(uid('lock'), async () => {
        await within(second.opened, 5_000, 'the second key taken while the first is held')
        return 'first'
      })
      const other = store().withLock(uid('lock'), async () => {
        second.open()
        return 'second'
      })
      expect(await Promise.all([first, other])).toEqual(['first', 'second'])
    })

    it('lets shared holders run together and an exclusive one wait for them', async () => {
      const key = uid('lock')
      const both = gate()
      const release = gate()
      let entered = 0
      const reader = () =>
        store().withLock(
          key,
          async () => {
            if (++entered === 2) both.open()
            await release.opened
          },
          'shared',
        )
      const readers = [reader(), reader()]
      await within(both.opened, 5_000, 'a second shared holder entering')
      let writerRan = false
      const writer = store().withLock(key, async () => {
        writerRan = true
      })
      await pause(100)
      expect(writerRan, 'the exclusive holder waits for the shared ones').toBe(false)
      release.open()
      await Promise.all([...readers, writer])
      expect(writerRan).toBe(true)
    })

    it('tries without waiting: refused while taken in a conflicting mode', async () => {
      const key = uid('lock')
      const release = gate()
      const held = gate()
      const holder = store().withLock(
        key,
        async () => {
          held.open()
          await release.opened
        },
        'shared',
      )
      await held.opened
      let ran = false
      expect(await store().tryWithLock(key, async () => void (ran = true))).toBeUndefined()
      expect(ran).toBe(false)
      expect(await store().tryWithLock(key, async () => 'with another reader', 'shared')).toEqual({ value: 'with another reader' })
      expect(await store().tryWithLock(uid('lock'), async () => 'another key')).toEqual({ value: 'another key' })
      release.open()
      await holder
      expect(await store().tryWithLock(key, async () => 'free again')).toEqual({ value: 'free again' })
    })

    it('keeps new shared holders out while an exclusive one waits, so it cannot starve', async () => {
      const key = uid('lock')
      const release = gate()
      const held = gate()
      const reader = store().withLock(
        key,
        async () => {
          held.open()
          await release.opened
        },
        'shared',
      )
      await held.opened
      const writer = store().withLock(key, async () => 'written')
      // Once the writer waits (it may take a moment to get there), a newcomer is refused.
      await expect
        .poll(async () => (await store().tryWithLock(key, async () => 'read', 'shared')) === undefined, { timeout: 5_000 })
        .toBe(true)
      release.open()
      await reader
      expect(await writer).toBe('written')
    })

    it('releases the lock when the work throws, and hands the error back', async () => {
      const key = uid('lock')
      const failure = new Error('work failed')
      await expect(
        store().withLock(key, async () => {
          throw failure
        }),
      ).rejects.toBe(failure)
      await expect(
        store().tryWithLock(key, async () => {
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(await within(store().withLock(key, async () => 'next'), 5_000, 'taking the lock again')).toBe('next')
    })
  })
}
