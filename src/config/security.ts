/**
 * @module The security settings of the configuration: rate limits, login throttling, the account
 * cache, CORS, TLS and the trusted proxy. Read from the environment by load.ts, like the rest.
 */
import { existsSync } from 'node:fs'
import type { LoginThrottleSettings } from '../core/login-throttle.js'
import { rateRuleNames, type RateRule, type RateRules } from '../core/rate-limits.js'
import { ConfigError } from './config-error.js'

export interface SecuritySettings {
  /** Per-rule request limits; a null rule is off. */
  readonly rateLimits: RateRules
  /** Where the counters live: this process (one API process) or the database (shared by all). */
  readonly rateLimitStore: 'memory' | 'database'
  readonly loginThrottle: LoginThrottleSettings
  /** How long an account's existence and token epoch are cached per API process. */
  readonly authCacheTtlMs: number
  /** Browser origins allowed by CORS (`*`: any); empty: none. */
  readonly corsOrigins: readonly string[]
  /** PEM files: the server terminates TLS itself. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null
  /** Fastify's trustProxy: true, or the proxies' addresses/CIDRs (comma-separated); false: none. */
  readonly trustProxy: boolean | string
}

/** Defaults, per rule: `limit/seconds`, for the docs below and the parser. */
const ruleDefaults: Readonly<Record<(typeof rateRuleNames)[number], string>> = {
  register: '20/3600',
  login: '60/60',
  refresh: '60/60',
  send: '6000/60',
  upload: '60/60',
  webhook: '30/3600',
}

const ruleWhat: Readonly<Record<(typeof rateRuleNames)[number], string>> = {
  register: 'registrations per client address',
  login: 'login attempts per client address',
  refresh: 'token refreshes per client address',
  send: 'messages sent per user (POST /v1/messages and the WebSocket send command together)',
  upload: 'uploads started per user (tus, chunked and simple)',
  webhook: 'webhooks registered per user',
}

const envOf = (rule: string) => `CHAT4ALL_RATE_LIMIT_${rule.toUpperCase()}`

export const securityConfigDocs: Readonly<Record<string, string>> = {
  CHAT4ALL_RATE_LIMITS: 'on (default) or off: every rate limit below at once (failed-login throttling stays on)',
  ...Object.fromEntries(
    rateRuleNames.map((rule) => [envOf(rule), `${ruleWhat[rule]}, as count/seconds, or off (default ${ruleDefaults[rule]})`]),
  ),
  CHAT4ALL_RATE_LIMIT_STORE:
    'memory (this process: one API process) or database (shared by every API process); default memory on SQLite, database on PostgreSQL',
  CHAT4ALL_LOGIN_LOCKOUT:
    'Attempts at one account from one client address without a success, per window, before that pair is locked until the window ends (default 5/900)',
  CHAT4ALL_LOGIN_SLOWDOWN:
    'Attempts at one account from any address without a success, per window, after which each attempt waits 250 ms, doubling (default 10/3600)',
  CHAT4ALL_LOGIN_MAX_DELAY_MS: 'Longest wait of a slowed-down login (default 5000)',
  CHAT4ALL_AUTH_CACHE_TTL_MS:
    'How long an API process trusts that a token’s account exists and is not logged out everywhere; a deletion or logout-all reaches other processes within it (default 5000)',
  CHAT4ALL_CORS_ORIGINS: 'Comma-separated browser origins allowed to call the API (e.g. https://app.example.com), or * for any (default none)',
  CHAT4ALL_TLS_CERT: 'PEM certificate (chain) file: the server speaks HTTPS and WSS itself (with CHAT4ALL_TLS_KEY)',
  CHAT4ALL_TLS_KEY: 'PEM private key file, with CHAT4ALL_TLS_CERT',
  CHAT4ALL_TRUST_PROXY:
    'Behind a reverse proxy: true, or its addresses/CIDRs (comma-separated), so rate limits see the client address from X-Forwarded-For (default: none trusted)',
}

/** `count/seconds` → a rule; `off` (or `0`) → null. */
function parseRule(key: string, raw: string): RateRule | null {
  if (raw === 'off' || raw === '0') return null
  const match = /^(\d+)\/(\d+)$/.exec(raw)
  const limit = Number(match?.[1])
  const seconds = Number(match?.[2])
  if (!match || !Number.isSafeInteger(limit) || limit < 1 || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > 86_400 * 30) {
    throw new ConfigError(`${key} must be count/seconds (e.g. 60/60) or off, got '${raw}'`)
  }
  return { limit, windowMs: seconds * 1000 }
}

function rule(env: NodeJS.ProcessEnv, key: string, fallback: string): RateRule {
  const parsed = parseRule(key, env[key] || fallback)
  if (!parsed) throw new ConfigError(`${key} cannot be off`)
  return parsed
}

function positive(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${key} must be an integer ≥ 0, got '${raw}'`)
  return value
}

function tls(env: NodeJS.ProcessEnv): SecuritySettings['tls'] {
  const certFile = env['CHAT4ALL_TLS_CERT'] || ''
  const keyFile = env['CHAT4ALL_TLS_KEY'] || ''
  if (!certFile && !keyFile) return null
  if (!certFile || !keyFile) throw new ConfigError('CHAT4ALL_TLS_CERT and CHAT4ALL_TLS_KEY go together')
  for (const [key, file] of [['CHAT4ALL_TLS_CERT', certFile], ['CHAT4ALL_TLS_KEY', keyFile]] as const) {
    if (!existsSync(file)) throw new ConfigError(`${key}: no such file '${file}'`)
  }
  return { certFile, keyFile }
}

function trustProxy(raw: string | undefined): boolean | string {
  if (!raw || raw === 'false') return false
  return raw === 'true' ? true : raw
}

export function securityConfig(env: NodeJS.ProcessEnv, db: string): SecuritySettings {
  const switchValue = env['CHAT4ALL_RATE_LIMITS'] || 'on'
  if (switchValue !== 'on' && switchValue !== 'off') throw new ConfigError(`CHAT4ALL_RATE_LIMITS must be on or off, got '${switchValue}'`)
  const rateLimits = Object.fromEntries(
    rateRuleNames.map((name) => [name, switchValue === 'off' ? null : parseRule(envOf(name), env[envOf(name)] || ruleDefaults[name])]),
  ) as Record<(typeof rateRuleNames)[number], RateRule | null>
  const store = env['CHAT4ALL_RATE_LIMIT_STORE'] || (db.startsWith('postgres') ? 'database' : 'memory')
  if (store !== 'memory' && store !== 'database') {
    throw new ConfigError(`CHAT4ALL_RATE_LIMIT_STORE must be memory or database, got '${store}'`)
  }
  const lockout = rule(env, 'CHAT4ALL_LOGIN_LOCKOUT', '5/900')
  const slowdown = rule(env, 'CHAT4ALL_LOGIN_SLOWDOWN', '10/3600')
  const origins = (env['CHAT4ALL_CORS_ORIGINS'] ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean)
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`CHAT4ALL_CORS_ORIGINS: '${origin}' is not an origin such as https://app.example.com`)
    }
  }
  return Object.freeze({
    rateLimits: Object.freeze(rateLimits),
    rateLimitStore: store,
    loginThrottle: Object.freeze({
      pairAttempts: lockout.limit,
      pairWindowMs: lockout.windowMs,
      accountAttemptsBeforeDelay: slowdown.limit,
      accountWindowMs: slowdown.windowMs,
      baseDelayMs: 250,
      maxDelayMs: positive(env, 'CHAT4ALL_LOGIN_MAX_DELAY_MS', 5_000),
    }),
    authCacheTtlMs: positive(env, 'CHAT4ALL_AUTH_CACHE_TTL_MS', 5_000),
    corsOrigins: Object.freeze(origins),
    tls: tls(env),
    trustProxy: trustProxy(env['CHAT4ALL_TRUST_PROXY']),
  })
}
