/** @module What the use cases need from the outside world, handed in by the composition root. */
import type { AddressScheme } from '../ports/connector.js'
import type { PlatformMetrics } from '../ports/metrics.js'
import type { Store } from '../ports/store.js'
import type { Authenticator } from './authenticator.js'
import type { LoginThrottle } from './login-throttle.js'
import type { RateLimiter } from './rate-limits.js'
import type { TokenService } from './tokens.js'

export interface Limits {
  readonly maxGroupMembers: number
  /** UTF-8 bytes of a message's text. */
  readonly maxTextBytes: number
  readonly maxMetadataBytes: number
}

export interface CoreContext {
  readonly store: Store
  readonly tokens: TokenService
  /** Access tokens checked against their subject (exists, not revoked). */
  readonly auth: Authenticator
  readonly rateLimits: RateLimiter
  readonly loginThrottle: LoginThrottle
  readonly limits: Limits
  /** Epoch milliseconds; tests may pass their own clock. */
  readonly now: () => number
  readonly newId: () => string
  /**
   * The channels' address schemes (from the connector registry): `<channel>:<id>` members are
   * validated and normalised by them. Without them, the built-in patterns of `addresses.ts` apply.
   */
  readonly addressSchemes?: readonly AddressScheme[]
  /** Send counters and accept latency; absent or disabled: nothing recorded. */
  readonly metrics?: PlatformMetrics
}
