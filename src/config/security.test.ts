import { describe, expect, it } from 'vitest'
import { ConfigError } from './config-error.js'
import { securityConfig } from './security.js'

describe('security settings', () => {
  it('has limits on by default, counters in memory on SQLite and in the database on PostgreSQL', () => {
    const sqlite = securityConfig({}, 'sqlite:./x.db')
    expect(sqlite.rateLimits.send).toEqual({ limit: 6000, windowMs: 60_000 })
    expect(sqlite.rateLimitStore).toBe('memory')
    expect(securityConfig({}, 'postgres://db/x').rateLimitStore).toBe('database')
    expect(sqlite.corsOrigins).toEqual([])
    expect(sqlite.tls).toBeNull()
  })

  it('reads count/seconds, off, and the global switch', () => {
    const config = securityConfig({ CHAT4ALL_RATE_LIMIT_SEND: '10/1', CHAT4ALL_RATE_LIMIT_UPLOAD: 'off' }, 'sqlite:')
    expect(config.rateLimits.send).toEqual({ limit: 10, windowMs: 1000 })
    expect(config.rateLimits.upload).toBeNull()
    expect(Object.values(securityConfig({ CHAT4ALL_RATE_LIMITS: 'off' }, 'sqlite:').rateLimits).every((r) => r === null)).toBe(true)
  })

  it('refuses malformed settings with a ConfigError naming the variable', () => {
    expect(() => securityConfig({ CHAT4ALL_RATE_LIMIT_SEND: 'lots' }, 'sqlite:')).toThrow(/CHAT4ALL_RATE_LIMIT_SEND/)
    expect(() => securityConfig({ CHAT4ALL_RATE_LIMIT_SEND: '0/60' }, 'sqlite:')).toThrow(ConfigError)
    expect(() => securityConfig({ CHAT4ALL_TLS_CERT: '/nope.pem' }, 'sqlite:')).toThrow(/go together/)
    expect(() => securityConfig({ CHAT4ALL_CORS_ORIGINS: 'app.example.com' }, 'sqlite:')).toThrow(/CHAT4ALL_CORS_ORIGINS/)
    expect(() => securityConfig({ CHAT4ALL_LOGIN_LOCKOUT: 'off' }, 'sqlite:')).toThrow(/cannot be off/)
  })
})
