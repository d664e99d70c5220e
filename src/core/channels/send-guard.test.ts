import { describe, expect, it } from 'vitest'
import { DeliveryError } from '../../ports/connector.js'
import { createSendGuard, type GuardClock } from './send-guard.js'

/**
 * A clock whose sleeps move virtual time forward: tests see the waits, never sit them out. Time
 * moves on the next turn of the event loop, so calls made together all see the same instant.
 */
function virtualClock(): GuardClock & { readonly waits: number[] } {
  let now = 0
  const waits: number[] = []
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      const until = now + ms
      waits.push(ms)
      await new Promise((resolve) => setImmediate(resolve))
      now = Math.max(now, until)
    },
  }
}

const unavailable = () => Promise.reject(new DeliveryError('unavailable', 'HTTP 500'))
const badRecipient = () => Promise.reject(new DeliveryError('bad_recipient', 'no such user'))

describe('send guard', () => {
  it('opens on account failures, ignores the message’s own, probes after the cool-down', async () => {
    const clock = virtualClock()
    const guard = createSendGuard({ pacing: [], failureThreshold: 2, coolDownMs: 5000, clock })
    await expect(guard.run('a', badRecipient)).rejects.toThrow('no such user')
    await expect(guard.run('a', unavailable)).rejects.toThrow('HTTP 500')
    await expect(guard.run('a', badRecipient)).rejects.toThrow('no such user')
    expect(guard.breaker().state).toBe('closed')
    await expect(guard.run('a', unavailable)).rejects.toThrow()
    await expect(guard.run('a', unavailable)).rejects.toThrow()
    expect(guard.breaker().state).toBe('open')
    let called = false
    const refused = await guard.run('a', async () => (called = true)).catch((error: unknown) => error)
    expect(called).toBe(false)
    expect(refused).toMatchObject({ reason: 'circuit_open', permanent: false, retryAfterMs: 5000 })
    await clock.sleep(5000, new AbortController().signal)
    expect(await guard.run('a', async () => 'probe ok')).toBe('probe ok')
    expect(guard.breaker().state).toBe('closed')
  })

  it('queues a burst to one recipient at the platform rate instead of refusing it', async () => {
    const clock = virtualClock()
    const guard = createSendGuard({ pacing: [{ scope: 'recipient', perSecond: 1 }, { scope: 'account', perSecond: 30 }], clock })
    const sent = await Promise.all([1, 2, 3].map((n) => guard.run('chat-1', async () => n)))
    expect(sent).toEqual([1, 2, 3])
    expect(clock.waits).toEqual([1000, 2000])
  })
})
