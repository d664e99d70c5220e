/**
 * @module The fan-out contract: one suite every Fanout adapter must pass. `make` opens two handles
 * on one fan-out (two processes for a networked adapter, the same instance for the memory one), so
 * the suite checks that what one publishes reaches the other's subscribers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Envelope } from '../core/stream/live-event.js'
import type { Fanout } from './fanout.js'

export interface FanoutHandle {
  readonly publisher: Fanout
  readonly subscriber: Fanout
  /**
   * Resolves once the subscriptions made so far are in place where publishers' envelopes are routed.
   * A networked adapter subscribes on a server, and another process's publish can overtake that;
   * in production the hub subscribes at start, long before the first connection. Not needed in-process.
   */
  readonly settle?: () => Promise<void>
  readonly cleanup: () => Promise<void>
}

export type FanoutFactory = () => Promise<FanoutHandle>

const typing = (n: number): Envelope => ({
  to: [`u-${n}`],
  event: { type: 'typing', conversationId: 'c-1', userId: `u-${n}`, expiresAt: 1_700_000_000_000 + n },
})

async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export function fanoutContract(name: string, make: FanoutFactory): void {
  describe(`Fanout contract: ${name}`, () => {
    let handle: FanoutHandle
    beforeEach(async () => {
      handle = await make()
    })
    afterEach(() => handle.cleanup())

    it('delivers every envelope to every subscriber, in publish order, unchanged', async () => {
      const first: Envelope[] = []
      const second: Envelope[] = []
      handle.subscriber.subscribe((e) => first.push(e))
      handle.subscriber.subscribe((e) => second.push(e))
      await handle.settle?.()
      const sent = Array.from({ length: 100 }, (_, i) => typing(i))
      for (const envelope of sent) await handle.publisher.publish(envelope)
      await eventually(() => first.length === 100 && second.length === 100, 'both subscribers have all 100')
      expect(first).toEqual(sent)
      expect(second).toEqual(sent)
    })

    it('stops delivering to a handler once it unsubscribed', async () => {
      const kept: Envelope[] = []
      const dropped: Envelope[] = []
      handle.subscriber.subscribe((e) => kept.push(e))
      const unsubscribe = handle.subscriber.subscribe((e) => dropped.push(e))
      await handle.settle?.()
      await handle.publisher.publish(typing(1))
      await eventually(() => kept.length === 1 && dropped.length === 1, 'the first envelope arrived')
      unsubscribe()
      await handle.publisher.publish(typing(2))
      await eventually(() => kept.length === 2, 'the second envelope arrived')
      expect(dropped).toHaveLength(1)
    })

    it('keeps delivering to the others when one subscriber throws', async () => {
      const seen: Envelope[] = []
      handle.subscriber.subscribe(() => {
        throw new Error('subscriber bug')
      })
      handle.subscriber.subscribe((e) => seen.push(e))
      await handle.settle?.()
      await handle.publisher.publish(typing(1))
      await eventually(() => seen.length === 1, 'the healthy subscriber got the envelope')
    })

    it('delivers to the publisher’s own process too (presence counts on hearing its own announcements)', async () => {
      const seen: Envelope[] = []
      handle.publisher.subscribe((e) => seen.push(e))
      await handle.settle?.()
      await handle.publisher.publish(typing(1))
      await eventually(() => seen.length === 1, 'the publisher’s own subscriber got the envelope')
      expect(seen).toEqual([typing(1)])
    })

    it('carries control envelopes, addressed to no one, like any other', async () => {
      const seen: Envelope[] = []
      handle.subscriber.subscribe((e) => seen.push(e))
      await handle.settle?.()
      const roster: Envelope = { to: [], event: { type: 'presence.roster', node: 'n-1', part: 0, parts: 1, users: ['u-1', 'u-2'] } }
      await handle.publisher.publish(roster)
      await eventually(() => seen.length === 1, 'the control envelope arrived')
      expect(seen).toEqual([roster])
    })

    it('refuses to publish once closed', async () => {
      await handle.publisher.close()
      await expect(handle.publisher.publish(typing(1))).rejects.toThrow()
    })
  })
}
