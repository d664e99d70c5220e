/**
 * @module Request rate limits: a fixed number of requests per fixed window, per rule and key (a user
 * id, or a client address for the unauthenticated entry points). Counters live behind the
 * RateLimitStore port: in memory for one process, in the database when processes must share them.
 */
import type { RateLimitStore } from '../ports/rate-limits.js'
import { errors, type AppError } from './errors.js'

export const rateRuleNames = ['register', 'login', 'refresh', 'send', 'upload', 'webhook'] as const
export type RateRuleName = (typeof rateRuleNames)[number]

/** `limit` requests per `windowMs`; a rule of null is off. */
export interface RateRule {
  readonly limit: number
  readonly windowMs: number
}

export type RateRules = Readonly<Record<RateRuleName, RateRule | null>>

export interface RateDecision {
  readonly allowed: boolean
  readonly limit: number
  readonly remaining: number
  /** Epoch ms when the window ends. */
  readonly resetAt: number
}

export interface RateLimiter {
  /** Counts one request against the rule for this key; undefined when the rule is off. */
  take(rule: RateRuleName, key: string): Promise<RateDecision | undefined>
}

/** What a client is told for each rule it exceeds. */
const nouns: Readonly<Record<RateRuleName, string>> = {
  register: 'registrations from this address',
  login: 'login attempts from this address',
  refresh: 'token refreshes from this address',
  send: 'messages sent',
  upload: 'uploads started',
  webhook: 'webhooks registered',
}

export function createRateLimiter(options: { store: RateLimitStore; rules: RateRules; now: () => number }): RateLimiter {
  return {
    async take(rule, key) {
      const settings = options.rules[rule]
      if (!settings) return undefined
      const { count, resetAt } = await options.store.hitRateLimit(`${rule}:${key}`, settings.windowMs, options.now())
      return { allowed: count <= settings.limit, limit: settings.limit, remaining: Math.max(0, settings.limit - count), resetAt }
    },
  }
}

/** Whole seconds until `resetAt`, at least 1 (a Retry-After of 0 invites a busy loop). */
export function secondsUntil(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000))
}

export function rateLimitedError(rule: RateRuleName, decision: RateDecision, now: number): AppError {
  return errors.rateLimited(secondsUntil(decision.resetAt, now), nouns[rule])
}

/** Counts the request and throws `rate_limited` when it is over the rule; the decision otherwise. */
export async function enforceRate(
  limiter: RateLimiter,
  rule: RateRuleName,
  key: string,
  now: () => number,
): Promise<RateDecision | undefined> {
  const decision = await limiter.take(rule, key)
  if (decision && !decision.allowed) throw rateLimitedError(rule, decision, now())
  return decision
}
