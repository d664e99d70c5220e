/**
 * @module The router: per-recipient work for each accepted message. Today that is each recipient's
 * receipt; live push, connectors and webhooks are consumer groups of their own on the same bus.
 * Idempotent, so an event delivered twice changes nothing.
 */
import type { Bus, ConsumeOptions, Consumer } from '../ports/bus.js'
import type { Store } from '../ports/store.js'

export interface RouterOptions {
  readonly store: Pick<Store, 'materializeReceipts'>
  readonly bus: Bus
  readonly consume: Omit<ConsumeOptions, 'batchSize'>
}

export function createRouter({ store, bus, consume }: RouterOptions): Consumer {
  return bus.consume(
    'router',
    async (batch) => {
      const created = batch.flatMap((d) => (d.event.event.type === 'message.created' ? [d.event.event] : []))
      // One write for the batch; a failure is retried in place by the bus, event by event.
      await store.materializeReceipts(created)
    },
    { ...consume, batchSize: 512 },
  )
}
