/**
 * @module When a failed webhook delivery is tried again. Capped exponential backoff (×3 per attempt)
 * with ±20% jitter: bounded jitter keeps the documented schedule true (about 24 h for the defaults)
 * while deliveries that failed together during an outage do not all come back at the same instant.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the delivery is dead-lettered. */
  readonly maxAttempts: number
  /** Wait after the first failure. */
  readonly baseMs: number
  /** Longest wait between two attempts. */
  readonly capMs: number
}

/** 10 attempts: waits of 1 m, 3 m, 9 m, 27 m, 81 m, ~4 h, then 6 h three times — about 24 h in all. */
export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 10, baseMs: 60_000, capMs: 6 * 3600_000 }

const FACTOR = 3
const JITTER = 0.2

/** The wait before attempt `failed + 1`, without jitter. */
export function nominalDelayMs(policy: RetryPolicy, failed: number): number {
  return Math.min(policy.capMs, policy.baseMs * FACTOR ** (failed - 1))
}

/**
 * What to do after attempt number `failed` failed at `now`: the time of the next attempt, or
 * undefined when the attempts are used up.
 */
export function nextAttemptAt(policy: RetryPolicy, failed: number, now: number, random = Math.random): number | undefined {
  if (failed >= policy.maxAttempts) return undefined
  const jitter = 1 + JITTER * (2 * random() - 1)
  return now + Math.round(nominalDelayMs(policy, failed) * jitter)
}
