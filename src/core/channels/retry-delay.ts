/**
 * @module What to do after a connector call failed: give up on permanent failures and when the
 * attempts are used up, otherwise wait by the shared backoff (`core/retry.ts`), but never less
 * than the platform asked for (`retry-after`).
 */
import { DeliveryError } from '../../ports/connector.js'
import { backoffDelayMs, type RetryPolicy } from '../retry.js'

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly permanent: boolean; readonly reason: string }

/** After attempt number `failed` (1, 2 …) ended in `error`. Errors that are not DeliveryErrors are transient. */
export function decideRetry(error: unknown, failed: number, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  const delivery = error instanceof DeliveryError ? error : undefined
  const detail = error instanceof Error ? error.message : String(error)
  if (delivery?.permanent) return { retry: false, permanent: true, reason: `${delivery.reason}: ${detail}` }
  if (failed >= policy.maxAttempts) {
    return { retry: false, permanent: false, reason: `${delivery?.reason ?? 'error'} after ${failed} attempts: ${detail}` }
  }
  return { retry: true, delayMs: Math.max(delivery?.retryAfterMs ?? 0, backoffDelayMs(policy, failed, random)) }
}
