/**
 * @module Sends webhook deliveries. Claims due ones from the store (one per webhook and
 * conversation at a time, so each conversation's events arrive in order), POSTs several at once
 * within a global and a per-webhook cap (so a slow endpoint holds only its own slots), records
 * every attempt, and schedules retries or dead-letters. The jobs live in the store, so a restart
 * or a crash loses none: a crashed sender's claims come back when their lease runs out.
 */
import type { Logger } from 'pino'
import type { DueDelivery, AttemptOutcome } from '../core/webhooks/model.js'
import { backoffDelayMs } from '../core/retry.js'
import { nextAttemptAt, type RetryPolicy } from '../core/webhooks/retry.js'
import { webhookHeaders } from '../core/webhooks/signature.js'
import type { Store } from '../ports/store.js'
import { pause, type Service } from './service.js'
import type { WebhookPoster } from './webhook-http.js'

export interface WebhookSenderOptions {
  readonly store: Store
  readonly poster: WebhookPoster
  readonly logger: Logger
  readonly retry: RetryPolicy
  /** The longest one attempt may take; claims are leased for a comfortable margin beyond it. */
  readonly timeoutMs: number
  /** Most sends in flight in this process. */
  readonly concurrency: number
  /** Most sends in flight to one webhook (across processes). */
  readonly perWebhookConcurrency: number
  /** How often to look for due deliveries when nothing wakes the sender (retries, other processes). */
  readonly pollIntervalMs: number
  readonly now?: () => number
}

export interface WebhookSender extends Service {
  /** Look for due deliveries now (one was just queued). */
  wake(): void
}

/** Waits after the store failed to hand out deliveries (it is down or overloaded). */
const storeBackoff = { baseMs: 50, capMs: 5_000 }

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { store, poster, logger, retry, timeoutMs } = options
  const now = options.now ?? Date.now
  const leaseMs = timeoutMs * 2 + 1_000
  let pending = true
  let interrupt: (() => void) | undefined

  const wake = () => {
    pending = true
    interrupt?.()
  }

  const outcomeOf = (delivery: DueDelivery, statusCode: number | null, at: number): AttemptOutcome => {
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { kind: 'delivered' }
    const retryAt = nextAttemptAt(retry, delivery.attempt, at)
    return retryAt === undefined ? { kind: 'dead' } : { kind: 'retry', at: retryAt }
  }

  const send = async (delivery: DueDelivery, stop: AbortSignal): Promise<void> => {
    const started = now()
    const result = await poster.post(delivery.url, webhookHeaders(delivery, started), delivery.body, stop)
    if (stop.aborted && result.statusCode === null) {
      // Cut short by shutdown: not the endpoint's fault, so it costs no attempt.
      await store.releaseWebhookDeliveries([delivery.deliveryId]).catch((error: unknown) => {
        logger.warn({ err: error, deliveryId: delivery.deliveryId }, 'could not release a webhook delivery; its lease will expire')
      })
      return
    }
    const finished = now()
    const outcome = outcomeOf(delivery, result.statusCode, finished)
    const log = { deliveryId: delivery.deliveryId, webhookId: delivery.webhookId, attempt: delivery.attempt, status: result.statusCode }
    if (outcome.kind === 'dead') logger.warn({ ...log, error: result.error }, 'webhook delivery failed for good; dead-lettered')
    else if (outcome.kind === 'retry') logger.debug({ ...log, error: result.error, retryAt: outcome.at }, 'webhook delivery failed; will retry')
    try {
      await store.recordWebhookAttempt(
        delivery.deliveryId,
        { at: started, statusCode: result.statusCode, error: result.error, durationMs: finished - started },
        outcome,
      )
    } catch (error) {
      // The claim's lease runs out and the delivery is tried again: at least once, never lost.
      logger.error({ err: error, ...log }, 'could not record a webhook attempt')
    }
  }

  return {
    name: 'webhook-sender',
    wake,
    async run(signal) {
      const inFlight = new Set<Promise<void>>()
      let failures = 0
      while (!signal.aborted) {
        if (!pending) {
          const idle = new AbortController()
          interrupt = () => idle.abort()
          const stop = () => idle.abort()
          signal.addEventListener('abort', stop, { once: true })
          await pause(options.pollIntervalMs, idle.signal)
          signal.removeEventListener('abort', stop)
          interrupt = undefined
          if (signal.aborted) break
        }
        pending = false
        const free = options.concurrency - inFlight.size
        if (free <= 0) continue // a finishing send wakes the loop
        let claimed: readonly DueDelivery[]
        try {
          claimed = await store.claimWebhookDeliveries({
            now: now(),
            limit: free,
            perWebhook: options.perWebhookConcurrency,
            leaseMs,
          })
          failures = 0
        } catch (error) {
          if (signal.aborted) break
          failures++
          logger.error({ err: error, failures }, 'claiming webhook deliveries failed; retrying')
          await pause(backoffDelayMs(storeBackoff, failures), signal)
          pending = true
          continue
        }
        for (const delivery of claimed) {
          const sending: Promise<void> = send(delivery, signal).finally(() => {
            inFlight.delete(sending)
            wake()
          })
          inFlight.add(sending)
        }
        // A full claim means more may be due: go again without waiting.
        if (claimed.length === free) pending = true
      }
      await Promise.all(inFlight)
    },
  }
}
