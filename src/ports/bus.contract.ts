/**
 * @module The bus contract: one suite every Bus adapter must pass. An adapter's test calls
 * `busContract(name, make)`, where `make` opens a new, empty bus.
 */
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OutboxEvent } from '../core/model.js'
import type { Bus, Delivery } from './bus.js'

export interface BusHandle {
  readonly bus: Bus
  /** Closes the bus and removes whatever it created (streams, consumers). */
  readonly cleanup: () => Promise<void>
}

export type BusFactory = () => Promise<BusHandle>

/** An event with an id no other test uses. */
export function busEvent(seq = 1): OutboxEvent {
  const id = randomUUID()
  return {
    id: `message.created:${id}`,
    createdAt: 1_700_000_000_000 + seq,
    event: {
      type: 'message.created',
      messageId: id,
      conversationId: 'c-bus',
      seq,
      senderId: 'u-bus',
      payload: { type: 'text', text: 'hi' },
      metadata: null,
      createdAt: 1_700_000_000_000 + seq,
    },
  }
}

/** Resolves once `check` holds, polling; fails the test after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Whether a promise settled within `ms`, without waiting for it beyond that. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false
  promise.then(
    () => (settled = true),
    () => (settled = true),
  )
  await new Promise((resolve) => setTimeout(resolve, ms))
  return settled
}

/** A promise to hold a handler until the test lets it go. */
export function gate(): { readonly wait: Promise<void>; readonly open: () => void } {
  let open = () => {}
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}

const ids = (deliveries: readonly Delivery[]) => deliveries.map((d) => d.event.id)

export function busContract(name: string, make: BusFactory): void {
  describe(`Bus contract: ${name}`, () => {
    let handle: BusHandle | undefined
    beforeEach(async () => {
      handle = await make()
    })
    afterEach(async () => {
      await handle?.cleanup()
      handle = undefined
    })
    const bus = (): Bus => {
      if (!handle) throw new Error('the bus is not open')
      return handle.bus
    }

    it('resolves publish only once the consumers are done with the events', async () => {
      const held = gate()
      const received: OutboxEvent[] = []
      bus().consume(
        'router',
        async (batch) => {
          received.push(...batch.map((d) => d.event))
          await held.wait
        },
        { batchSize: 10 },
      )
      const events = [busEvent(1), busEvent(2)]
      const publishing = bus().publish(events)
      await eventually(() => received.length === 2, 'both events are delivered')
      expect(await settlesWithin(publishing, 50)).toBe(false)
      held.open()
      await publishing
      expect(received).toEqual(events)
    })

    it('gives every event to each consumer group', async () => {
      const seen: Record<string, string[]> = { router: [], webhooks: [] }
      for (const group of Object.keys(seen)) {
        bus().consume(group, async (batch) => void seen[group]!.push(...ids(batch)), { batchSize: 3 })
      }
      const events = Array.from({ length: 7 }, (_, i) => busEvent(i + 1))
      await bus().publish(events)
      for (const group of Object.keys(seen)) expect(new Set(seen[group]), group).toEqual(new Set(events.map((e) => e.id)))
    })

    it('hands the handler at most batchSize deliveries at once', async () => {
      const sizes: number[] = []
      bus().consume('router', async (batch) => void sizes.push(batch.length), { batchSize: 2 })
      await bus().publish(Array.from({ length: 5 }, (_, i) => busEvent(i + 1)))
      expect(sizes.every((n) => n >= 1 && n <= 2)).toBe(true)
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(5)
    })

    it('redelivers a retried event with the next attempt number', async () => {
      const attempts: number[] = []
      bus().consume(
        'router',
        async (batch) => {
          for (const d of batch) {
            attempts.push(d.attempt)
            if (d.attempt < 3) d.retry(10)
            else d.ack()
          }
        },
        { batchSize: 10 },
      )
      await bus().publish([busEvent()])
      expect(attempts).toEqual([1, 2, 3])
    })

    it('retries the deliveries of a handler that throws', async () => {
      const attempts: number[] = []
      bus().consume(
        'router',
        async (batch) => {
          attempts.push(...batch.map((d) => d.attempt))
          if (batch.some((d) => d.attempt === 1)) throw new Error('database unavailable')
        },
        { batchSize: 10 },
      )
      await bus().publish([busEvent()])
      expect(attempts).toEqual([1, 2])
    })

    it('retries only what a throwing handler left unsettled', async () => {
      const [kept, dropped] = [busEvent(1), busEvent(2)]
      const seen: [string, number][] = []
      bus().consume(
        'router',
        async (batch) => {
          for (const d of batch) seen.push([d.event.id, d.attempt])
          const first = batch.find((d) => d.event.id === kept.id && d.attempt === 1)
          if (first) {
            first.ack()
            throw new Error('failed after the first')
          }
        },
        { batchSize: 10 },
      )
      await bus().publish([kept, dropped])
      expect(seen.filter(([id]) => id === kept.id)).toEqual([[kept.id, 1]])
      expect(seen.filter(([id]) => id === dropped.id).map(([, attempt]) => attempt)).toContain(2)
    })

    it('records a dead-lettered event, newest last, and delivers it no more', async () => {
      const deliveries: string[] = []
      bus().consume(
        'router',
        async (batch) => {
          for (const d of batch) {
            deliveries.push(d.event.id)
            if (d.attempt < 2) d.retry(5)
            else d.deadLetter(`poison ${d.event.createdAt - 1_700_000_000_000}`)
          }
        },
        { batchSize: 1 },
      )
      const [first, second] = [busEvent(1), busEvent(2)]
      await bus().publish([first])
      await bus().publish([second])
      const dead = await bus().deadLetters()
      const mine = dead.filter((d) => d.event.id === first.id || d.event.id === second.id)
      expect(mine).toEqual([
        { group: 'router', event: first, reason: 'poison 1', attempts: 2, at: expect.any(Number) },
        { group: 'router', event: second, reason: 'poison 2', attempts: 2, at: expect.any(Number) },
      ])
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(deliveries.filter((id) => id === first.id)).toHaveLength(2)
    })

    it('delivers an event republished while in flight once per group', async () => {
      const held = gate()
      const seen: string[] = []
      bus().consume(
        'router',
        async (batch) => {
          seen.push(...ids(batch))
          await held.wait
        },
        { batchSize: 10 },
      )
      const event = busEvent()
      const publishes = [bus().publish([event]), bus().publish([event])]
      await eventually(() => seen.length > 0, 'the event is delivered')
      held.open()
      await Promise.all(publishes)
      expect(seen).toEqual([event.id])
    })

    it('refuses to publish once closed', async () => {
      bus().consume('router', async () => {}, { batchSize: 1 })
      await bus().close()
      await expect(bus().publish([busEvent()])).rejects.toThrow()
    })
  })
}
