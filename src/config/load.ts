/**
 * @module Configuration: read once from the environment into a frozen, typed object. The only
 * reader of process.env. Unknown CHAT4ALL_* variables are reported, so a typo does not go unnoticed.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** `sqlite:<path>` or `postgres://…` */
  readonly db: string
  /** `memory:` (NATS comes with the scaled-out shape) */
  readonly bus: string
  readonly jwtSecret: string
  readonly accessTokenTtlSeconds: number
  readonly refreshTokenTtlSeconds: number
  readonly maxGroupMembers: number
  readonly maxTextBytes: number
  readonly bodyLimitBytes: number
  readonly logLevel: string
  readonly sqliteSynchronous: 'normal' | 'full'
  readonly shutdownGraceMs: number
}

/** Each variable with its default and what it does; `chat4all config` prints them. */
export const configDocs: Readonly<Record<string, string>> = {
  CHAT4ALL_HOST: 'Interface to listen on (default 0.0.0.0)',
  CHAT4ALL_PORT: 'Port to listen on (default 8080; PORT is honoured too)',
  CHAT4ALL_DATA_DIR: 'Where the embedded database and generated secrets live (default ./data)',
  CHAT4ALL_DB: 'sqlite:<file> (default sqlite:<data dir>/chat4all.db) or postgres://user@host:port/db',
  CHAT4ALL_BUS: 'memory: (default, in-process)',
  CHAT4ALL_JWT_SECRET: 'HMAC secret for access tokens (default: generated once into <data dir>/jwt-secret)',
  CHAT4ALL_ACCESS_TOKEN_TTL: 'Access token lifetime in seconds (default 900)',
  CHAT4ALL_REFRESH_TOKEN_TTL: 'Refresh token lifetime in seconds (default 2592000, 30 days)',
  CHAT4ALL_MAX_GROUP_MEMBERS: 'Most members a group may hold (default 1000)',
  CHAT4ALL_MAX_TEXT_BYTES: 'Largest message text in UTF-8 bytes (default 65536)',
  CHAT4ALL_LOG_LEVEL: 'pino level: trace, debug, info, warn, error (default info)',
  CHAT4ALL_SQLITE_SYNC: 'normal (survives a process crash; default) or full (also survives power loss)',
  CHAT4ALL_SHUTDOWN_GRACE_MS: 'How long SIGTERM waits for in-flight work (default 10000)',
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

function integer(env: NodeJS.ProcessEnv, key: string, fallback: number, min = 0): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${key} must be an integer ≥ ${min}, got '${raw}'`)
  return value
}

function jwtSecret(env: NodeJS.ProcessEnv, dataDir: string): string {
  const given = env['CHAT4ALL_JWT_SECRET']
  if (given) {
    if (given.length < 32) throw new ConfigError('CHAT4ALL_JWT_SECRET must be at least 32 characters')
    return given
  }
  const file = join(dataDir, 'jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return secret
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): { config: Config; warnings: string[] } {
  const warnings = Object.keys(env)
    .filter((key) => key.startsWith('CHAT4ALL_') && !(key in configDocs))
    .map((key) => `Unknown setting ${key} is ignored; known settings: chat4all config`)
  const dataDir = resolve(env['CHAT4ALL_DATA_DIR'] || './data')
  const sync = env['CHAT4ALL_SQLITE_SYNC'] || 'normal'
  if (sync !== 'normal' && sync !== 'full') throw new ConfigError(`CHAT4ALL_SQLITE_SYNC must be normal or full, got '${sync}'`)
  const maxTextBytes = integer(env, 'CHAT4ALL_MAX_TEXT_BYTES', 64 * 1024, 1)
  const config: Config = {
    host: env['CHAT4ALL_HOST'] || '0.0.0.0',
    port: integer(env, 'CHAT4ALL_PORT', integer(env, 'PORT', 8080)),
    dataDir,
    db: env['CHAT4ALL_DB'] || `sqlite:${join(dataDir, 'chat4all.db')}`,
    bus: env['CHAT4ALL_BUS'] || 'memory:',
    jwtSecret: jwtSecret(env, dataDir),
    accessTokenTtlSeconds: integer(env, 'CHAT4ALL_ACCESS_TOKEN_TTL', 900, 1),
    refreshTokenTtlSeconds: integer(env, 'CHAT4ALL_REFRESH_TOKEN_TTL', 30 * 24 * 3600, 1),
    maxGroupMembers: integer(env, 'CHAT4ALL_MAX_GROUP_MEMBERS', 1000, 2),
    maxTextBytes,
    // Room for the largest text even when every character is JSON-escaped, plus metadata.
    bodyLimitBytes: Math.max(1024 * 1024, maxTextBytes * 6 + 64 * 1024),
    logLevel: env['CHAT4ALL_LOG_LEVEL'] || 'info',
    sqliteSynchronous: sync,
    shutdownGraceMs: integer(env, 'CHAT4ALL_SHUTDOWN_GRACE_MS', 10_000),
  }
  return { config: Object.freeze(config), warnings }
}

/** The resolved configuration with secrets masked, for `chat4all config`. */
export function describeConfig(config: Config): Record<string, unknown> {
  return { ...config, jwtSecret: '***', db: config.db.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@') }
}
