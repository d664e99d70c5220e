/**
 * @module The router: per-recipient work for each accepted message. Today that is each recipient's
 * receipt; live push, connectors and webhooks subscribe to the same bus. Idempotent, so an event
 * delivered twice changes nothing.
 */
import type { Logger } from 'pino'
import type { Bus } from '../ports/bus.js'
import type { Store } from '../ports/store.js'

export interface RouterOptions {
  readonly store: Store
  readonly bus: Bus
  readonly logger: Logger
  readonly maxAttempts: number
}

/** Capped exponential backoff with full jitter. */
export function backoffMs(attempt: number, baseMs = 100, capMs = 60_000): number {
  return Math.round(Math.random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)))
}

export function startRouter({ store, bus, logger, maxAttempts }: RouterOptions): void {
  bus.consume(
    'router',
    async (batch) => {
      const created = batch.flatMap((d) => (d.event.event.type === 'message.created' ? [d.event.event] : []))
      try {
        await store.materializeReceipts(created)
        for (const delivery of batch) delivery.ack()
      } catch (error) {
        for (const delivery of batch) {
          if (delivery.attempt >= maxAttempts) {
            logger.error({ err: error, eventId: delivery.event.id }, 'routing failed for good; dead-lettered')
            delivery.deadLetter(String(error))
          } else {
            logger.warn({ err: error, eventId: delivery.event.id, attempt: delivery.attempt }, 'routing failed; will retry')
            delivery.retry(backoffMs(delivery.attempt))
          }
        }
      }
    },
    { batchSize: 512 },
  )
}
