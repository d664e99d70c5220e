/**
 * @module Guessing passwords: a lockout per (account, client address) and a progressive delay per
 * account. An attacker guessing from one address locks only that address out of the account: the
 * owner, from their own address, still logs in, at worst after a delay of a few seconds while the
 * attack goes on. Attempts are counted before the password is checked, so concurrent guesses
 * cannot slip past the count; a successful login clears the counts. (The `login` rate rule caps
 * attempts per address over all accounts: rate-limits.ts.)
 */
import type { RateLimitStore } from '../ports/rate-limits.js'
import { errors } from './errors.js'
import { secondsUntil } from './rate-limits.js'

export interface LoginThrottleSettings {
  /** Attempts at one account from one address, without a success, per window; then locked until the window ends. */
  readonly pairAttempts: number
  readonly pairWindowMs: number
  /** Attempts at one account, from any address, without a success, per window before each further one is delayed. */
  readonly accountAttemptsBeforeDelay: number
  readonly accountWindowMs: number
  /** The first delay; it doubles with each further attempt, up to `maxDelayMs`. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export interface LoginThrottle {
  /** Before the password is checked: throws `rate_limited` when locked out, else waits any delay due. */
  before(username: string, address: string): Promise<void>
  succeeded(username: string, address: string): Promise<void>
}

export interface LoginThrottleOptions {
  readonly store: RateLimitStore
  readonly settings: LoginThrottleSettings
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
}

/** The delay owed by the `attempts`-th attempt at one account: none up to the threshold, then doubling. */
export function accountDelayMs(attempts: number, settings: LoginThrottleSettings): number {
  const over = attempts - settings.accountAttemptsBeforeDelay
  if (over <= 0) return 0
  return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.min(over - 1, 30))
}

export function createLoginThrottle({ store, settings, now, sleep }: LoginThrottleOptions): LoginThrottle {
  // Usernames are case-insensitive; the keys must be too, or each case variant would get a budget.
  const keys = (username: string, address: string) => {
    const account = username.toLowerCase()
    return { pair: `login-pair:${account}|${address}`, account: `login-account:${account}` }
  }
  return {
    async before(username, address) {
      const key = keys(username, address)
      const pair = await store.hitRateLimit(key.pair, settings.pairWindowMs, now())
      if (pair.count > settings.pairAttempts) {
        throw errors.rateLimited(secondsUntil(pair.resetAt, now()), 'failed logins for this account from this address')
      }
      const account = await store.hitRateLimit(key.account, settings.accountWindowMs, now())
      const delay = accountDelayMs(account.count, settings)
      if (delay > 0) await sleep(delay)
    },
    async succeeded(username, address) {
      const key = keys(username, address)
      await Promise.all([store.clearRateLimit(key.pair), store.clearRateLimit(key.account)])
    },
  }
}
