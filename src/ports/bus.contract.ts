/**
 * @module The bus contract: one suite every Bus adapter must pass. An adapter's test calls
 * `busContract(name, make)`, where `make` opens a new, empty bus (for a networked bus, with streams
 * of its own so tests do not see each other's events).
 */
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OutboxEvent } from '../core/model.js'
import { PermanentFailure, type BatchHandler, type Bus, type ConsumeOptions, type Consumer, type DeadLetterDraft, type Delivery } from './bus.js'

export interface BusHandle {
  readonly bus: Bus
  /** Closes the bus and removes whatever it created (streams, consumers). */
  readonly cleanup: () => Promise<void>
}

export type BusFactory = () => Promise<BusHandle>

/** An event of conversation `key` with an id no other test uses. */
export function busEvent(seq = 1, key = 'c-bus'): OutboxEvent {
  const id = randomUUID()
  return {
    id: `message.created:${id}`,
    createdAt: 1_700_000_000_000 + seq,
    event: {
      type: 'message.created',
      messageId: id,
      conversationId: key,
      seq,
      senderId: 'u-bus',
      payload: { type: 'text', text: 'hi' },
      metadata: null,
      createdAt: 1_700_000_000_000 + seq,
    },
  }
}

const seqOf = (event: OutboxEvent): number => (event.event.type === 'message.created' ? event.event.seq : -1)

/** Resolves once `check` holds, polling; fails the test after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
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

/** A dead-letter sink that keeps what it is given, as the store does. */
export function deadLetterRecorder(): { readonly letters: DeadLetterDraft[]; readonly sink: ConsumeOptions['deadLetters'] } {
  const letters: DeadLetterDraft[] = []
  return { letters, sink: async (letter) => void letters.push(letter) }
}

/** Watches batches for the one thing the ordering contract forbids: two batches holding one key at once. */
export function keyOverlapWatch(): { readonly around: (batch: readonly Delivery[], work: () => Promise<void>) => Promise<void>; readonly overlapped: () => boolean } {
  const busy = new Set<string>()
  let overlap = false
  return {
    async around(batch, work) {
      const keys = new Set(batch.map((d) => d.event.event.conversationId))
      for (const key of keys) {
        if (busy.has(key)) overlap = true
        busy.add(key)
      }
      try {
        await work()
      } finally {
        for (const key of keys) busy.delete(key)
      }
    },
    overlapped: () => overlap,
  }
}

export function busContract(name: string, make: BusFactory): void {
  describe(`Bus contract: ${name}`, () => {
    let handle: BusHandle | undefined
    let consumers: Consumer[] = []
    beforeEach(async () => {
      handle = await make()
      consumers = []
    })
    afterEach(async () => {
      await Promise.all(consumers.map((c) => c.stop()))
      await handle?.cleanup()
      handle = undefined
    })
    const bus = (): Bus => {
      if (!handle) throw new Error('the bus is not open')
      return handle.bus
    }
    const dead = deadLetterRecorder
    /** Starts a consumer with fast retries; stopped after the test. */
    const consume = async (
      group: string,
      handler: BatchHandler,
      options: Partial<ConsumeOptions> = {},
    ): Promise<Consumer> => {
      const consumer = bus().consume(group, handler, {
        batchSize: 10,
        maxAttempts: 3,
        deadLetters: dead().sink,
        backoff: { baseMs: 10, capMs: 20 },
        ...options,
      })
      consumers.push(consumer)
      await consumer.start()
      return consumer
    }

    it('resolves publish once the bus holds the events, without waiting for consumers', async () => {
      const held = gate()
      const received: OutboxEvent[] = []
      await consume('router', async (batch) => {
        received.push(...batch.map((d) => d.event))
        await held.wait
      })
      // Two keys: a durable bus may hold a key's second event back until the first is done.
      const events = [busEvent(1, 'c-1'), busEvent(1, 'c-2')]
      try {
        await bus().publish(events)
        await eventually(() => received.length === 2, 'both events are delivered')
        expect(new Set(received.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)))
      } finally {
        held.open()
      }
    })

    it('gives every event to each consumer group', async () => {
      const seen: Record<string, string[]> = { router: [], webhooks: [] }
      for (const group of Object.keys(seen)) {
        await consume(group, async (batch) => void seen[group]!.push(...batch.map((d) => d.event.id)), { batchSize: 3 })
      }
      const events = Array.from({ length: 7 }, (_, i) => busEvent(i + 1, `c-${i % 3}`))
      await bus().publish(events)
      for (const group of Object.keys(seen)) {
        await eventually(() => seen[group]!.length >= events.length, `${group} got every event`)
        expect(new Set(seen[group]), group).toEqual(new Set(events.map((e) => e.id)))
      }
    })

    it('hands the handler at most batchSize deliveries at once', async () => {
      const sizes: number[] = []
      await consume('router', async (batch) => void sizes.push(batch.length), { batchSize: 2 })
      await bus().publish(Array.from({ length: 5 }, (_, i) => busEvent(i + 1, `c-${i}`)))
      await eventually(() => sizes.reduce((a, b) => a + b, 0) === 5, 'all five are delivered')
      expect(sizes.every((n) => n >= 1 && n <= 2)).toBe(true)
    })

    it('delivers the events of one key in publish order, never two of its batches at once', async () => {
      const order: Record<string, number[]> = {}
      const watch = keyOverlapWatch()
      await consume(
        'router',
        (batch) =>
          watch.around(batch, async () => {
            await new Promise((resolve) => setTimeout(resolve, 1))
            for (const d of batch) (order[d.event.event.conversationId] ??= []).push(seqOf(d.event))
          }),
        { batchSize: 7 },
      )
      const keys = ['c-a', 'c-b', 'c-c']
      const events = Array.from({ length: 60 }, (_, i) => busEvent(Math.floor(i / 3) + 1, keys[i % 3]))
      for (let i = 0; i < events.length; i += 12) await bus().publish(events.slice(i, i + 12))
      await eventually(() => keys.every((k) => (order[k]?.length ?? 0) >= 20), 'every event is delivered')
      for (const key of keys) expect(order[key], key).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect(watch.overlapped(), 'two batches held one key at once').toBe(false)
    })

    it('lets other keys proceed while one key is held', async () => {
      const held = gate()
      const done: string[] = []
      await consume(
        'router',
        async (batch) => {
          if (batch.some((d) => d.event.event.conversationId === 'c-held')) await held.wait
          done.push(...batch.map((d) => d.event.event.conversationId))
        },
        { batchSize: 1 },
      )
      await bus().publish([busEvent(1, 'c-held')])
      await bus().publish(Array.from({ length: 8 }, (_, i) => busEvent(1, `c-free-${i}`)))
      await eventually(() => done.length > 0, 'another key proceeds while c-held is held')
      expect(done).not.toContain('c-held')
      held.open()
      await eventually(() => done.includes('c-held'), 'the held key proceeds once let go')
    })

    it('retries a failed event in place: it holds back its key until it succeeds', async () => {
      const seen: [number, number][] = []
      await consume(
        'router',
        async (batch) => {
          for (const d of batch) {
            seen.push([seqOf(d.event), d.attempt])
            if (seqOf(d.event) === 1 && d.attempt < 3) throw new Error('database unavailable')
          }
        },
        { batchSize: 1, maxAttempts: 5 },
      )
      await bus().publish([busEvent(1), busEvent(2), busEvent(3)])
      await eventually(() => seen.some(([seq]) => seq === 3), 'the last event is delivered')
      expect(seen).toEqual([
        [1, 1],
        [1, 2],
        [1, 3],
        [2, 1],
        [3, 1],
      ])
    })

    it('splits a failed batch and retries only the event that keeps failing', async () => {
      const letters = dead()
      const handled: number[] = []
      await consume(
        'router',
        async (batch) => {
          if (batch.some((d) => seqOf(d.event) === 2)) throw new Error('poison')
          handled.push(...batch.map((d) => seqOf(d.event)))
        },
        { batchSize: 10, maxAttempts: 2, deadLetters: letters.sink },
      )
      const events = [busEvent(1), busEvent(2), busEvent(3)]
      await bus().publish(events)
      await eventually(() => handled.includes(3), 'the event after the poison is handled')
      expect(handled.filter((seq) => seq === 2)).toEqual([])
      expect(handled.indexOf(1)).toBeLessThan(handled.indexOf(3))
      expect(letters.letters).toEqual([
        { group: 'router', event: events[1], error: 'Error: poison', attempts: 2, at: expect.any(Number) },
      ])
    })

    it('dead-letters a permanent failure at once, with its error', async () => {
      const letters = dead()
      const attempts: number[] = []
      await consume(
        'webhooks',
        async (batch) => {
          attempts.push(...batch.map((d) => d.attempt))
          throw new PermanentFailure('unknown event shape')
        },
        { maxAttempts: 5, deadLetters: letters.sink },
      )
      const event = busEvent()
      await bus().publish([event])
      await eventually(() => letters.letters.length === 1, 'the event is dead-lettered')
      expect(attempts).toEqual([1])
      expect(letters.letters[0]).toMatchObject({ group: 'webhooks', event, error: 'PermanentFailure: unknown event shape', attempts: 1 })
    })

    it('keeps trying to record a dead letter until the sink takes it', async () => {
      const kept: DeadLetterDraft[] = []
      let sinkCalls = 0
      const handled: number[] = []
      await consume(
        'router',
        async (batch) => {
          if (batch.some((d) => seqOf(d.event) === 1)) throw new PermanentFailure('bad')
          handled.push(...batch.map((d) => seqOf(d.event)))
        },
        {
          batchSize: 1,
          deadLetters: async (letter) => {
            if (++sinkCalls < 3) throw new Error('store unavailable')
            kept.push(letter)
          },
        },
      )
      await bus().publish([busEvent(1), busEvent(2)])
      await eventually(() => handled.includes(2), 'the key proceeds after the dead letter is kept')
      expect(kept).toHaveLength(1)
      expect(sinkCalls).toBe(3)
    })

    it('delivers an event republished while in flight once per group', async () => {
      const held = gate()
      const seen: string[] = []
      await consume('router', async (batch) => {
        seen.push(...batch.map((d) => d.event.id))
        await held.wait
      })
      const event = busEvent()
      await bus().publish([event])
      await bus().publish([event])
      await eventually(() => seen.length > 0, 'the event is delivered')
      held.open()
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(seen).toEqual([event.id])
    })

    it('keeps events published before a consumer starts for it', async () => {
      const seen: string[] = []
      const consumer = bus().consume('router', async (batch) => void seen.push(...batch.map((d) => d.event.id)), {
        batchSize: 10,
        maxAttempts: 3,
        deadLetters: dead().sink,
      })
      consumers.push(consumer)
      // A durable bus creates its consumer at start; the memory bus registers it here.
      await consumer.start()
      const event = busEvent()
      await bus().publish([event])
      await eventually(() => seen.includes(event.id), 'the event is delivered')
    })

    it('hands a replayed dead letter only to the group it names', async () => {
      const seen: Record<string, string[]> = { router: [], webhooks: [] }
      for (const group of Object.keys(seen)) {
        await consume(group, async (batch) => void seen[group]!.push(...batch.map((d) => d.event.id)))
      }
      const replay: OutboxEvent = { ...busEvent(), onlyGroup: 'webhooks' }
      const after = busEvent(2)
      await bus().publish([replay, after])
      await eventually(() => seen['router']!.includes(after.id) && seen['webhooks']!.includes(after.id), 'both groups move past it')
      expect(seen['webhooks']).toContain(replay.id)
      expect(seen['router']).not.toContain(replay.id)
    })

    it('drains: lets the handler in hand finish and takes nothing new', async () => {
      const held = gate()
      const seen: number[] = []
      let finished = false
      const consumer = await consume(
        'router',
        async (batch) => {
          seen.push(...batch.map((d) => seqOf(d.event)))
          await held.wait
          finished = true
        },
        { batchSize: 1 },
      )
      await bus().publish([busEvent(1)])
      await eventually(() => seen.length === 1, 'the first event is in hand')
      const draining = consumer.drain()
      expect(await settlesWithin(draining, 50)).toBe(false)
      held.open()
      await draining
      expect(finished).toBe(true)
      await bus().publish([busEvent(2)])
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(seen).toEqual([1])
    })

    it('refuses to publish once closed', async () => {
      await consume('router', async () => {})
      await bus().close()
      await expect(bus().publish([busEvent()])).rejects.toThrow()
    })
  })
}
