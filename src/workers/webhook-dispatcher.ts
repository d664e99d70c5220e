/**
 * @module Turns events from the bus into webhook delivery jobs. The handler only writes the jobs
 * (one store write per batch) and acks: the bus waits for every consumer group, so slow HTTP here
 * would hold up the whole message pipeline. The webhook sender does the sending.
 */
import type { Logger } from 'pino'
import { toWebhookEvent } from '../core/webhooks/events.js'
import type { Bus } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { backoffMs } from './router.js'
import { pause } from './service.js'

export interface WebhookDispatcherOptions {
  readonly store: Store
  readonly bus: Bus
  readonly logger: Logger
  /** Bus deliveries of one batch before it is dead-lettered. */
  readonly maxAttempts: number
  /** Called after deliveries were queued, so a sender in this process starts at once. */
  readonly onQueued: () => void
  readonly now?: () => number
}

/** Short retries in the handler first: a batch the bus retries later could fall behind newer events. */
const INLINE_RETRY_MS = [20, 100, 400]

export function startWebhookDispatcher({ store, bus, logger, maxAttempts, onQueued, now = Date.now }: WebhookDispatcherOptions): void {
  const never = new AbortController().signal
  const queue = async (events: Parameters<Store['queueWebhookEvents']>[0]): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await store.queueWebhookEvents(events, now())
      } catch (error) {
        const wait = INLINE_RETRY_MS[attempt]
        if (wait === undefined) throw error
        await pause(wait, never)
      }
    }
  }

  bus.consume(
    'webhooks',
    async (batch) => {
      const events = batch.flatMap((delivery) => toWebhookEvent(delivery.event) ?? [])
      try {
        if ((await queue(events)) > 0) onQueued()
        for (const delivery of batch) delivery.ack()
      } catch (error) {
        for (const delivery of batch) {
          if (delivery.attempt >= maxAttempts) {
            logger.error({ err: error, eventId: delivery.event.id }, 'queueing webhook deliveries failed for good; dead-lettered')
            delivery.deadLetter(String(error))
          } else {
            logger.warn({ err: error, eventId: delivery.event.id, attempt: delivery.attempt }, 'queueing webhook deliveries failed; will retry')
            delivery.retry(backoffMs(delivery.attempt))
          }
        }
      }
    },
    { batchSize: 512 },
  )
}
