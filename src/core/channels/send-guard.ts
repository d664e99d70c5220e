/**
 * @module The guard in front of one connector account: pacing under the platform's limits (a
 * burst waits its turn instead of being refused) and a circuit breaker (a sick account or platform
 * is left alone for a cool-down instead of being hammered). Retries are not made here: the caller
 * decides them with `decideRetry`, so a refused call goes back to the queue it came from.
 */
import { DeliveryError, type DeliveryFailureReason, type PaceLimit } from '../../ports/connector.js'
import { pause } from '../pause.js'
import { createCircuitBreaker, defaultBreakerOptions, type BreakerSnapshot } from './circuit-breaker.js'
import { createPacer, type PaceRule } from './pacer.js'

export interface GuardClock {
  /** Epoch milliseconds. */
  now(): number
  /** Waits `ms`; resolves early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export interface SendGuardOptions {
  /** The platform's limits, from the connector's capabilities. */
  readonly pacing: readonly PaceLimit[]
  readonly failureThreshold?: number
  readonly coolDownMs?: number
  readonly clock?: GuardClock
}

export interface SendGuard {
  /**
   * Runs `call` (one platform request to `recipient`) once pacing allows it and the breaker admits
   * it; throws DeliveryError('circuit_open') with `retryAfterMs` when the breaker refuses.
   */
  run<T>(recipient: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T>
  breaker(): BreakerSnapshot
}

/** Failures that say the account or the platform is unwell; the others are the message's own fault. */
const accountFailures: ReadonlySet<DeliveryFailureReason> = new Set(['unauthorized', 'rate_limited', 'unavailable', 'timeout', 'network'])

export function countsAgainstAccount(error: unknown): boolean {
  return !(error instanceof DeliveryError) || accountFailures.has(error.reason)
}

export const systemClock: GuardClock = { now: () => Date.now(), sleep: pause }

const notAborted = new AbortController().signal

export function createSendGuard(options: SendGuardOptions): SendGuard {
  const clock = options.clock ?? systemClock
  const breaker = createCircuitBreaker({
    failureThreshold: options.failureThreshold ?? defaultBreakerOptions.failureThreshold,
    coolDownMs: options.coolDownMs ?? defaultBreakerOptions.coolDownMs,
    now: () => clock.now(),
  })
  const pacer = createPacer({ now: () => clock.now() })
  const limitsFor = (recipient: string): [string, PaceRule][] =>
    options.pacing.map((limit) => [limit.scope === 'account' ? 'account' : `to:${recipient}`, limit])

  const refuse = (retryInMs: number) =>
    new DeliveryError('circuit_open', 'the circuit breaker of this account is open', { retryAfterMs: retryInMs })

  return {
    async run(recipient, call, signal = notAborted) {
      // Refuse before queueing: a burst behind an open breaker must not wait out its pacing first.
      const before = breaker.snapshot()
      if (before.state === 'open' && before.probeAt !== undefined && before.probeAt > clock.now()) {
        throw refuse(before.probeAt - clock.now())
      }
      const wait = pacer.reserve(limitsFor(recipient))
      if (wait > 0) await clock.sleep(wait, signal)
      signal.throwIfAborted()
      const admission = breaker.admit()
      if (!admission.admitted) throw refuse(admission.retryInMs)
      try {
        const result = await call()
        breaker.succeeded()
        return result
      } catch (error) {
        if (countsAgainstAccount(error)) breaker.failed()
        else breaker.succeeded()
        throw error
      }
    },
    breaker: () => breaker.snapshot(),
  }
}
