/** @module Store contract: the bus consumers' dead letters, listed for an operator and replayed through the outbox. */
import { describe, expect, it } from 'vitest'
import type { OutboxEvent } from '../../core/model.js'
import type { DeadLetter } from '../store.js'
import { T0, drainAll, freshStore, uid, type StoreFactory } from './harness.js'

function deadLetter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  const event: OutboxEvent = {
    id: uid('evt'),
    createdAt: T0,
    event: { type: 'member.left', conversationId: uid('c'), memberId: uid('m'), at: T0 },
  }
  return { id: uid('dl'), group: 'router', event, error: 'Error: boom', attempts: 5, at: T0 + 1_000, ...overrides }
}

export function deadLetterContract(make: StoreFactory): void {
  describe('dead letters', () => {
    // Listing and the outbox are global to a store: every test starts from an empty one.
    const store = freshStore(make)

    /** Adds letters one after the other, `at` one second apart; returns them oldest first. */
    async function addMany(groups: readonly string[]): Promise<DeadLetter[]> {
      const letters = groups.map((group, i) => deadLetter({ group, at: T0 + i * 1_000 }))
      for (const letter of letters) await store().addDeadLetter(letter)
      return letters
    }

    it('keeps a letter as it was given, once per id', async () => {
      const letter = deadLetter({ event: { ...deadLetter().event, onlyGroup: 'webhooks' } })
      await store().addDeadLetter(letter)
      await store().addDeadLetter(letter)
      expect(await store().getDeadLetter(letter.id)).toEqual(letter)
      expect(await store().listDeadLetters({ limit: 10 })).toEqual([letter])
      expect(await store().getDeadLetter(uid('dl'))).toBeUndefined()
    })

    it('lists newest first, in pages before a letter', async () => {
      const letters = await addMany(['router', 'fanout', 'router', 'webhooks', 'router'])
      const newestFirst = [...letters].reverse()
      expect(await store().listDeadLetters({ limit: 10 })).toEqual(newestFirst)
      const first = await store().listDeadLetters({ limit: 2 })
      expect(first).toEqual(newestFirst.slice(0, 2))
      const second = await store().listDeadLetters({ limit: 2, before: first[1]!.id })
      expect(second).toEqual(newestFirst.slice(2, 4))
      const third = await store().listDeadLetters({ limit: 2, before: second[1]!.id })
      expect(third).toEqual(newestFirst.slice(4))
      expect(await store().listDeadLetters({ limit: 2, before: third[0]!.id })).toEqual([])
    })

    it('filters by consumer group, also across pages', async () => {
      const letters = await addMany(['router', 'fanout', 'router', 'webhooks', 'router'])
      const routers = letters.filter((l) => l.group === 'router').reverse()
      expect(await store().listDeadLetters({ limit: 10, group: 'router' })).toEqual(routers)
      const page = await store().listDeadLetters({ limit: 1, group: 'router' })
      expect(await store().listDeadLetters({ limit: 10, group: 'router', before: page[0]!.id })).toEqual(routers.slice(1))
      expect(await store().listDeadLetters({ limit: 10, group: 'nobody' })).toEqual([])
    })

    it('replays a letter: its event goes back in the outbox for its group only, the letter goes', async () => {
      const [, letter] = await addMany(['router', 'webhooks', 'fanout'])
      await drainAll(store())
      let woken = 0
      store().onOutboxWrite(() => woken++)
      const replayId = uid('replay')
      expect(await store().replayDeadLetter(letter!.id, replayId)).toEqual(letter)
      expect(await store().getDeadLetter(letter!.id)).toBeUndefined()
      expect((await store().listDeadLetters({ limit: 10 })).map((l) => l.id)).not.toContain(letter!.id)
      await expect.poll(() => woken, { timeout: 2_000 }).toBeGreaterThan(0)
      expect(await drainAll(store())).toEqual([{ id: replayId, event: letter!.event.event, createdAt: letter!.event.createdAt, onlyGroup: 'webhooks' }])
    })

    it('replays a letter once: a second replay finds nothing and queues nothing', async () => {
      const letter = deadLetter()
      await store().addDeadLetter(letter)
      expect(await store().replayDeadLetter(letter.id, uid('replay'))).toEqual(letter)
      expect(await store().replayDeadLetter(letter.id, uid('replay'))).toBeUndefined()
      expect(await store().replayDeadLetter(uid('dl'), uid('replay'))).toBeUndefined()
      expect(await drainAll(store())).toHaveLength(1)
    })

    it('lets one of several concurrent replays of a letter win', async () => {
      const letter = deadLetter()
      await store().addDeadLetter(letter)
      const results = await Promise.all(Array.from({ length: 6 }, () => store().replayDeadLetter(letter.id, uid('replay'))))
      expect(results.filter((r) => r !== undefined)).toHaveLength(1)
      expect(await drainAll(store())).toHaveLength(1)
    })
  })
}
