/**
 * @module Composition of what guards the API: the authenticator (tokens checked against their
 * account), the rate limiter and the login throttle, with their counters in this process or in the
 * store as configured. Part of the composition root (app.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from './config/load.js'
import { createAuthenticator } from './core/authenticator.js'
import type { CoreContext } from './core/context.js'
import { createLoginThrottle } from './core/login-throttle.js'
import { createRateLimiter } from './core/rate-limits.js'
import type { TokenService } from './core/tokens.js'
import type { RateLimitStore } from './ports/rate-limits.js'
import type { Store } from './ports/store.js'

/** `counters`: rate-limit counters, in memory or in the store (adapters/index.ts openRateLimits). */
export function createGuards(
  config: Config,
  store: Store,
  tokens: TokenService,
  counters: RateLimitStore,
): Pick<CoreContext, 'auth' | 'rateLimits' | 'loginThrottle'> {
  const { security } = config
  return {
    auth: createAuthenticator({ tokens, store, ttlMs: security.authCacheTtlMs, maxEntries: 100_000, now: Date.now }),
    rateLimits: createRateLimiter({ store: counters, rules: security.rateLimits, now: Date.now }),
    loginThrottle: createLoginThrottle({
      store: counters,
      settings: security.loginThrottle,
      now: Date.now,
      sleep: async (ms) => {
        await sleep(ms)
      },
    }),
  }
}
