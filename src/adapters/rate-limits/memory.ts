/** @module Rate-limit counters in this process's memory: the all-in-one shape, where one process sees every request. */
import { windowOf, type RateLimitStore, type WindowCount } from '../../ports/rate-limits.js'

interface Entry {
  start: number
  end: number
  count: number
}

export interface MemoryRateLimitOptions {
  /** Entries kept before windows that have ended are swept (bounds memory under many keys). */
  readonly sweepAbove?: number
}

export function createMemoryRateLimitStore(options: MemoryRateLimitOptions = {}): RateLimitStore {
  const entries = new Map<string, Entry>()
  const sweepAbove = options.sweepAbove ?? 100_000
  let nextSweepAt = sweepAbove

  // Ended windows are dropped only when the map grows: no timer, nothing to close.
  const sweep = (now: number) => {
    for (const [key, entry] of entries) if (entry.end <= now) entries.delete(key)
    nextSweepAt = Math.max(sweepAbove, entries.size * 2)
  }

  const current = (key: string, windowMs: number, now: number): Entry | undefined => {
    const entry = entries.get(key)
    const { start } = windowOf(windowMs, now)
    return entry && entry.start === start && entry.end - entry.start === windowMs ? entry : undefined
  }

  return {
    hitRateLimit(key, windowMs, now): Promise<WindowCount> {
      let entry = current(key, windowMs, now)
      if (!entry) {
        if (entries.size >= nextSweepAt) sweep(now)
        entry = { ...windowOf(windowMs, now), count: 0 }
        entries.set(key, entry)
      }
      entry.count++
      return Promise.resolve({ count: entry.count, resetAt: entry.end })
    },
    clearRateLimit(key) {
      entries.delete(key)
      return Promise.resolve()
    },
  }
}
