/**
 * @module The rate-limit counter port: fixed-window hit counters keyed by a string. In memory for one
 * process (the all-in-one shape); in the database when several API processes must share the count.
 */

export interface WindowCount {
  /** Hits in the current window, this one included. */
  readonly count: number
  /** Epoch ms at which the current window ends and the count starts again from zero. */
  readonly resetAt: number
}

export interface RateLimitStore {
  /**
   * Counts one hit on `key` in the fixed window of `windowMs` that contains `now` and returns the
   * window's count. Atomic: concurrent hits, from any process sharing the store, each count once.
   */
  hitRateLimit(key: string, windowMs: number, now: number): Promise<WindowCount>
  /** Forgets the key's count (a successful login clears its failures). */
  clearRateLimit(key: string): Promise<void>
}

/** The fixed window of `windowMs` that contains `now`: windows start at multiples of their length. */
export function windowOf(windowMs: number, now: number): { readonly start: number; readonly end: number } {
  const start = Math.floor(now / windowMs) * windowMs
  return { start, end: start + windowMs }
}
