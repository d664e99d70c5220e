/**
 * @module The webhook delivery schedule: the shared backoff (`core/retry.ts`) growing ×3 per attempt,
 * so the defaults span about a day before a delivery is dead-lettered.
 */
import type { RetryPolicy } from '../retry.js'

export { nextAttemptAt, nominalDelayMs, type RetryPolicy } from '../retry.js'

/** Webhook deliveries grow ×3 per failed attempt. */
export const WEBHOOK_BACKOFF_FACTOR = 3

/** 10 attempts: waits of 1 m, 3 m, 9 m, 27 m, 81 m, ~4 h, then 6 h three times — about 24 h in all. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 10,
  baseMs: 60_000,
  capMs: 6 * 3600_000,
  factor: WEBHOOK_BACKOFF_FACTOR,
}
