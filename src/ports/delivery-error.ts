/**
 * @module How a connector reports a failed call: one error type whose reason says whether trying
 * again can help. Permanent failures go straight to FAILED and the dead letters; transient ones are
 * retried with the shared backoff (`core/retry.ts`), no sooner than `retryAfterMs`.
 */

export type DeliveryFailureReason =
  /** The recipient does not exist, blocked us, or cannot be reached by this account. */
  | 'bad_recipient'
  /** The platform's rules forbid it (WhatsApp's 24-hour window, spam policy). */
  | 'policy'
  /** The message itself is refused (too long, unsupported media, a link the platform cannot fetch). */
  | 'content'
  /** Our credentials are wrong or expired: no message gets through until an operator fixes them. */
  | 'unauthorized'
  /** The platform asked us to slow down (HTTP 429 or its own rate-limit codes). */
  | 'rate_limited'
  /** The platform failed (5xx, "temporarily unavailable"). */
  | 'unavailable'
  /** No answer in time. */
  | 'timeout'
  /** The connection failed. */
  | 'network'
  /** Our circuit breaker refused the call without making it. */
  | 'circuit_open'

const permanentReasons: ReadonlySet<DeliveryFailureReason> = new Set(['bad_recipient', 'policy', 'content', 'unauthorized'])

/** Whether retrying cannot help. `unauthorized` is permanent for the message; the breaker stops the rest. */
export function isPermanentReason(reason: DeliveryFailureReason): boolean {
  return permanentReasons.has(reason)
}

export interface DeliveryErrorOptions {
  /** The platform's wait before trying again, in milliseconds (`Retry-After`, Telegram `retry_after`). */
  readonly retryAfterMs?: number
  /** The platform's own error code, for operators (`131047`, `403`). */
  readonly platformCode?: string
  readonly httpStatus?: number
  /** The request may have reached the platform, so the message may have gone out (timeouts, 5xx). */
  readonly outcomeUnknown?: boolean
  readonly cause?: unknown
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError'
  readonly permanent: boolean
  readonly retryAfterMs: number | undefined
  readonly platformCode: string | undefined
  readonly httpStatus: number | undefined
  readonly outcomeUnknown: boolean

  constructor(
    readonly reason: DeliveryFailureReason,
    message: string,
    options: DeliveryErrorOptions = {},
  ) {
    super(message, { cause: options.cause })
    this.permanent = isPermanentReason(reason)
    this.retryAfterMs = options.retryAfterMs
    this.platformCode = options.platformCode
    this.httpStatus = options.httpStatus
    this.outcomeUnknown = options.outcomeUnknown ?? false
  }
}
