/**
 * @module The in-process bus of the all-in-one shape. Nothing survives a crash here, so publish
 * resolves only when every consumer group is done with the events: until then the outbox holds them.
 */
import type { OutboxEvent } from '../../core/model.js'
import type { Bus, ConsumeOptions, DeadLetter, Delivery } from '../../ports/bus.js'

interface Item {
  readonly event: OutboxEvent
  readonly attempt: number
  readonly done: () => void
}

interface Group {
  readonly name: string
  readonly handler: (batch: readonly Delivery[]) => Promise<void>
  readonly options: ConsumeOptions
  queue: Item[]
  running: boolean
  /** Events in flight by id, so a republished duplicate joins the original instead of running twice. */
  readonly inFlight: Map<string, Promise<void>>
}

const MAX_DEAD_LETTERS = 10_000

export function createMemoryBus(): Bus {
  const groups = new Map<string, Group>()
  const dead: DeadLetter[] = []
  const timers = new Set<NodeJS.Timeout>()
  let closed = false
  // Publishes still waiting when the bus closes must fail, so the outbox keeps their events
  // (and a relay holding a transaction open for them lets go).
  let signalClosed: (error: Error) => void = () => {}
  const whenClosed = new Promise<never>((_, reject) => (signalClosed = reject))
  whenClosed.catch(() => undefined)

  const run = async (group: Group) => {
    if (group.running) return
    group.running = true
    while (group.queue.length > 0 && !closed) {
      const items = group.queue.splice(0, group.options.batchSize)
      const settled = new Set<Item>()
      const settle = (item: Item, action: () => void) => {
        if (settled.has(item)) return
        settled.add(item)
        action()
      }
      const retry = (item: Item, delayMs: number) =>
        settle(item, () => {
          if (closed) return
          const timer = setTimeout(() => {
            timers.delete(timer)
            group.queue.push({ ...item, attempt: item.attempt + 1 })
            void run(group)
          }, delayMs)
          timers.add(timer)
        })
      const deliveries = items.map(
        (item): Delivery => ({
          event: item.event,
          attempt: item.attempt,
          ack: () => settle(item, item.done),
          retry: (delayMs) => retry(item, delayMs),
          deadLetter: (reason) =>
            settle(item, () => {
              dead.push({ group: group.name, event: item.event, reason, attempts: item.attempt, at: Date.now() })
              if (dead.length > MAX_DEAD_LETTERS) dead.shift()
              item.done()
            }),
        }),
      )
      try {
        await group.handler(deliveries)
        for (const d of deliveries) d.ack()
      } catch {
        for (const item of items) retry(item, Math.min(30_000, 100 * 2 ** item.attempt))
      }
    }
    group.running = false
  }

  const enqueue = (group: Group, event: OutboxEvent): Promise<void> => {
    const existing = group.inFlight.get(event.id)
    if (existing) return existing
    const completion = new Promise<void>((resolve) => {
      group.queue.push({
        event,
        attempt: 1,
        done: () => {
          group.inFlight.delete(event.id)
          resolve()
        },
      })
    })
    group.inFlight.set(event.id, completion)
    return completion
  }

  return {
    async publish(events) {
      if (closed) throw new Error('bus is closed')
      const pending: Promise<void>[] = []
      for (const group of groups.values()) {
        for (const event of events) pending.push(enqueue(group, event))
        void run(group)
      }
      await Promise.race([Promise.all(pending), whenClosed])
    },

    consume(name, handler, options) {
      if (groups.has(name)) throw new Error(`consumer group '${name}' is already registered`)
      groups.set(name, { name, handler, options, queue: [], running: false, inFlight: new Map() })
    },

    async deadLetters() {
      return [...dead]
    },

    async close() {
      closed = true
      signalClosed(new Error('bus closed before its consumers were done with the events'))
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}
