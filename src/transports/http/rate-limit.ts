/**
 * @module Rate limits on HTTP routes: a hook that counts the request against a rule and tells the
 * client where it stands in `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` (seconds
 * to the window's end, draft-ietf-httpapi-ratelimit-headers); over the limit, a 429 problem with
 * `Retry-After`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { rateLimitedError, secondsUntil, type RateDecision, type RateLimiter, type RateRuleName } from '../../core/rate-limits.js'
import { callerId } from './auth.js'

export type RateKey = 'caller' | 'address'

export function setRateHeaders(reply: FastifyReply, decision: RateDecision, now: number): void {
  reply.header('ratelimit-limit', String(decision.limit))
  reply.header('ratelimit-remaining', String(decision.remaining))
  reply.header('ratelimit-reset', String(secondsUntil(decision.resetAt, now)))
}

/**
 * A hook counting each request against `rule`, per authenticated caller (after requireAuth) or per
 * client address (`request.ip`, which honours CHAT4ALL_TRUST_PROXY behind a proxy).
 */
export function rateLimit(limiter: RateLimiter, rule: RateRuleName, key: RateKey, now: () => number) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const decision = await limiter.take(rule, key === 'caller' ? callerId(request) : request.ip)
    if (!decision) return
    setRateHeaders(reply, decision, now())
    if (!decision.allowed) throw rateLimitedError(rule, decision, now())
  }
}
