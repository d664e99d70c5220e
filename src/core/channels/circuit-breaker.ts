/**
 * @module A circuit breaker for one connector account: after `failureThreshold` consecutive
 * failures that say the account or the platform is unwell, calls are refused for `coolDownMs`
 * (open); then one probe call is let through (half-open): its success closes the breaker, its
 * failure opens it for another cool-down. Refusing early spares a failing platform and our queue.
 */

export type BreakerState = 'closed' | 'open' | 'half_open'

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number
  /** How long it stays open before a probe is allowed. */
  readonly coolDownMs: number
  /** Epoch milliseconds. */
  readonly now: () => number
}

/** What the breaker says to one call. */
export type Admission =
  | { readonly admitted: true; readonly probe: boolean }
  | { readonly admitted: false; readonly retryInMs: number }

export interface BreakerSnapshot {
  readonly state: BreakerState
  readonly consecutiveFailures: number
  /** When an open breaker lets a probe through; undefined unless open. */
  readonly probeAt: number | undefined
}

export interface CircuitBreaker {
  /** Asks to make one call. An admitted call must report back with `succeeded` or `failed`. */
  admit(): Admission
  /** The platform answered (success, or a failure that is the message's fault, not the account's). */
  succeeded(): void
  /** The call failed in a way that says the account or platform is unwell. */
  failed(): void
  snapshot(): BreakerSnapshot
}

export const defaultBreakerOptions = { failureThreshold: 5, coolDownMs: 30_000 } as const

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  let state: BreakerState = 'closed'
  let failures = 0
  let openedAt = 0
  let probeInFlight = false

  const open = () => {
    state = 'open'
    openedAt = options.now()
    probeInFlight = false
  }

  return {
    admit() {
      if (state === 'open') {
        const waited = options.now() - openedAt
        if (waited < options.coolDownMs) return { admitted: false, retryInMs: options.coolDownMs - waited }
        state = 'half_open'
      }
      if (state === 'half_open') {
        // One probe at a time: the others wait as if the breaker were still open.
        if (probeInFlight) return { admitted: false, retryInMs: options.coolDownMs }
        probeInFlight = true
        return { admitted: true, probe: true }
      }
      return { admitted: true, probe: false }
    },
    succeeded() {
      state = 'closed'
      failures = 0
      probeInFlight = false
    },
    failed() {
      failures++
      if (state === 'half_open' || failures >= options.failureThreshold) open()
    },
    snapshot() {
      return { state, consecutiveFailures: failures, probeAt: state === 'open' ? openedAt + options.coolDownMs : undefined }
    },
  }
}
