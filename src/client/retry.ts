/**
 * @module The SDK's one retry loop: sends, uploads, downloads and stream reconnects all wait by it.
 * The schedule is the platform's own capped, jittered backoff (src/core/retry.ts, pure arithmetic).
 */
import { backoffDelayMs, type Backoff } from '../core/retry.js'
import { Chat4AllError } from './errors.js'

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number
  readonly backoff: Backoff
  readonly signal?: AbortSignal | undefined
  /** Whether this failure is worth another attempt; by default Chat4AllError.isRetryable. */
  readonly isRetryable?: (error: unknown) => boolean
  /** Told before each wait, e.g. to show "reconnecting in 2 s". */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void
}

export const defaultRetry: RetryOptions = { attempts: 6, backoff: { baseMs: 250, capMs: 8_000 } }

/** Waits `ms`, or less when the signal aborts (then rejects with an `aborted` error). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(Chat4AllError.client('aborted', 'Cancelled'))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(Chat4AllError.client('aborted', 'Cancelled'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

const retryable = (error: unknown) => error instanceof Chat4AllError && error.isRetryable

/** Runs `work` until it succeeds, fails for good, or the attempts are used up; honours Retry-After. */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions = defaultRetry): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt)
    } catch (error) {
      const worthIt = (options.isRetryable ?? retryable)(error)
      if (!worthIt || attempt >= options.attempts || options.signal?.aborted) throw error
      const told = error instanceof Chat4AllError ? error.retryAfterMs : undefined
      const delay = Math.max(told ?? 0, backoffDelayMs(options.backoff, attempt))
      options.onRetry?.(error, attempt, delay)
      await sleep(delay, options.signal)
    }
  }
}
