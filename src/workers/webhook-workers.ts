/**
 * @module The webhook workers of a process, wired together: the bus consumer that queues delivery
 * jobs and wakes the sender, and the sender with its HTTP client.
 */
import type { Logger } from 'pino'
import type { WebhookSettings } from '../config/load.js'
import { WEBHOOK_BACKOFF_FACTOR } from '../core/webhooks/retry.js'
import type { UrlGuard } from '../core/webhooks/url-guard.js'
import type { Bus, ConsumeOptions, Consumer } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { createWebhookDispatcher } from './webhook-dispatcher.js'
import { createWebhookPoster } from './webhook-http.js'
import { createWebhookSender } from './webhook-sender.js'

export interface WebhookWorkerOptions {
  readonly store: Store
  readonly bus: Bus
  readonly consume: Omit<ConsumeOptions, 'batchSize'>
  readonly guard: UrlGuard
  readonly settings: WebhookSettings
  readonly logger: Logger
  readonly signal: AbortSignal
}

export interface WebhookWorkers {
  /** Tells the sender a delivery was queued (by the API in this process, say). */
  wake(): void
  /** The bus consumer that turns events into delivery jobs; the caller starts and drains it. */
  readonly dispatcher: Consumer
  /** Settles once the signal aborted and in-flight sends were wound up. */
  readonly done: Promise<void>
}

export function startWebhookWorkers({ store, bus, consume, guard, settings, logger, signal }: WebhookWorkerOptions): WebhookWorkers {
  const poster = createWebhookPoster({ guard, timeoutMs: settings.timeoutMs })
  const sender = createWebhookSender({
    store,
    poster,
    logger,
    retry: { maxAttempts: settings.maxAttempts, baseMs: settings.retryBaseMs, capMs: settings.retryCapMs, factor: WEBHOOK_BACKOFF_FACTOR },
    timeoutMs: settings.timeoutMs,
    concurrency: settings.concurrency,
    perWebhookConcurrency: settings.perWebhookConcurrency,
    pollIntervalMs: 250,
  })
  const dispatcher = createWebhookDispatcher({ store, bus, consume, onQueued: sender.wake })
  const done = sender.run(signal).finally(() => poster.close())
  return { wake: sender.wake, dispatcher, done }
}
