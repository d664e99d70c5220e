/**
 * @module The one retry schedule: capped exponential backoff with bounded jitter. Bus consumers
 * retrying an event in place, the outbox relay, and webhook deliveries all wait by it, each with its
 * own numbers. Bounded jitter (±20 % by default) keeps a documented schedule true while failures
 * that happened together (an outage) do not all come back at the same instant.
 */

export interface Backoff {
  /** Wait after the first failure. */
  readonly baseMs: number
  /** Longest wait between two attempts. */
  readonly capMs: number
  /** Growth per failed attempt; 2 unless set. */
  readonly factor?: number
  /** Fraction of the wait drawn at random either side; 0.2 unless set. */
  readonly jitter?: number
}

export interface RetryPolicy extends Backoff {
  /** Attempts in all, the first included; after the last failure the work is dead-lettered. */
  readonly maxAttempts: number
}

/** The wait after attempt number `failed` (1, 2 …) failed, without jitter. */
export function nominalDelayMs(backoff: Backoff, failed: number): number {
  return Math.min(backoff.capMs, backoff.baseMs * (backoff.factor ?? 2) ** Math.max(0, failed - 1))
}

/** The wait after attempt number `failed` failed, jittered. */
export function backoffDelayMs(backoff: Backoff, failed: number, random: () => number = Math.random): number {
  const jitter = backoff.jitter ?? 0.2
  return Math.round(nominalDelayMs(backoff, failed) * (1 + jitter * (2 * random() - 1)))
}

/** When to try again after attempt `failed` failed at `now`, or undefined once the attempts are used up. */
export function nextAttemptAt(policy: RetryPolicy, failed: number, now: number, random: () => number = Math.random): number | undefined {
  if (failed >= policy.maxAttempts) return undefined
  return now + backoffDelayMs(policy, failed, random)
}
