/**
 * @module The in-process bus of the all-in-one shape. `publish` resolves once the events are queued;
 * nothing here survives a crash, so the bus offers `settled` and the relay keeps events in the
 * outbox until every group is done with them — the outbox is this bus's durable log.
 *
 * Per group, events of one key (conversation) are handed over in publish order with at most one
 * batch holding the key at a time; batches of other keys run beside it, up to `CONCURRENT_BATCHES`.
 */
import type { OutboxEvent } from '../../core/model.js'
import { settleBatch } from '../../core/deliveries.js'
import { orderingKey, type BatchHandler, type Bus, type ConsumeOptions, type Consumer, type Delivery } from '../../ports/bus.js'

/** Batches one group works on at once (each with keys no other holds). */
const CONCURRENT_BATCHES = 4

interface Group {
  readonly name: string
  readonly handler: BatchHandler
  readonly options: ConsumeOptions
  queue: OutboxEvent[]
  /** Ids queued or in flight, so a republished duplicate is absorbed instead of running twice. */
  readonly known: Set<string>
  readonly busyKeys: Set<string>
  inFlight: number
  started: boolean
  stopping: boolean
  readonly controller: AbortController
  readonly idle: (() => void)[]
}

interface Pending {
  groups: number
  readonly waiters: { resolve: () => void; reject: (error: Error) => void }[]
}

export function createMemoryBus(): Bus {
  const groups = new Map<string, Group>()
  /** Events not yet settled by every group they were queued for. */
  const pending = new Map<string, Pending>()
  let closed = false

  const settledBy = (eventId: string) => {
    const entry = pending.get(eventId)
    if (!entry) return
    if (--entry.groups > 0) return
    pending.delete(eventId)
    for (const waiter of entry.waiters) waiter.resolve()
  }

  /** The next batch: events in queue order, skipping every key another batch holds or an earlier event skipped. */
  const take = (group: Group): OutboxEvent[] => {
    const blocked = new Set(group.busyKeys)
    const batch: OutboxEvent[] = []
    const rest: OutboxEvent[] = []
    for (const event of group.queue) {
      const key = orderingKey(event)
      if (batch.length < group.options.batchSize && !blocked.has(key)) batch.push(event)
      else {
        blocked.add(key)
        rest.push(event)
      }
    }
    if (batch.length > 0) group.queue = rest
    return batch
  }

  const pump = (group: Group) => {
    while (group.started && !group.stopping && !closed && group.inFlight < CONCURRENT_BATCHES && group.queue.length > 0) {
      const batch = take(group)
      if (batch.length === 0) return
      const keys = new Set(batch.map(orderingKey))
      for (const key of keys) group.busyKeys.add(key)
      group.inFlight++
      void run(group, batch).finally(() => {
        for (const key of keys) group.busyKeys.delete(key)
        group.inFlight--
        if (group.inFlight === 0) for (const wake of group.idle.splice(0)) wake()
        pump(group)
      })
    }
  }

  const run = async (group: Group, batch: readonly OutboxEvent[]) => {
    const deliveries: Delivery[] = batch.map((event) => ({ event, attempt: 1 }))
    const outcome = await settleBatch(deliveries, {
      group: group.name,
      handler: group.handler,
      maxAttempts: group.options.maxAttempts,
      deadLetters: group.options.deadLetters,
      backoff: group.options.backoff,
      signal: group.controller.signal,
    })
    if (outcome === 'stopped') return // left unsettled: the outbox still holds these events
    for (const event of batch) {
      group.known.delete(event.id)
      settledBy(event.id)
    }
  }

  const drain = (group: Group): Promise<void> => {
    group.stopping = true
    group.controller.abort()
    if (group.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => group.idle.push(resolve))
  }

  return {
    async publish(events) {
      if (closed) throw new Error('bus is closed')
      for (const group of groups.values()) {
        if (group.stopping) continue
        for (const event of events) {
          if (group.known.has(event.id)) continue
          group.known.add(event.id)
          group.queue.push(event)
          const entry = pending.get(event.id)
          if (entry) entry.groups++
          else pending.set(event.id, { groups: 1, waiters: [] })
        }
        pump(group)
      }
    },

    settled(events) {
      const waits = events.flatMap((event) => {
        const entry = pending.get(event.id)
        if (!entry) return []
        return [new Promise<void>((resolve, reject) => entry.waiters.push({ resolve, reject }))]
      })
      return Promise.all(waits).then(() => undefined)
    },

    consume(name, handler, options): Consumer {
      if (groups.has(name)) throw new Error(`consumer group '${name}' is already registered`)
      const group: Group = {
        name,
        handler,
        options,
        queue: [],
        known: new Set(),
        busyKeys: new Set(),
        inFlight: 0,
        started: false,
        stopping: false,
        controller: new AbortController(),
        idle: [],
      }
      // Registered now, so events published before `start` wait for it instead of passing it by.
      groups.set(name, group)
      return {
        group: name,
        async start() {
          group.started = true
          pump(group)
        },
        drain: () => drain(group),
        stop: () => drain(group),
      }
    },

    async close() {
      closed = true
      await Promise.all([...groups.values()].map(drain))
      // Waiting relays must not delete what was never handled: the outbox keeps it for the next start.
      const error = new Error('bus closed before its consumers were done with the events')
      for (const entry of pending.values()) for (const waiter of entry.waiters) waiter.reject(error)
      pending.clear()
    },
  }
}
