import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, describeConfig, loadConfig } from './load.js'

const dirs: string[] = []
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat4all-config-'))
  dirs.push(dir)
  return dir
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

describe('configuration', () => {
  it('has working defaults and generates the JWT secret once', () => {
    const dir = dataDir()
    const { config, warnings } = loadConfig({ CHAT4ALL_DATA_DIR: dir })
    expect(config).toMatchObject({ port: 8080, db: `sqlite:${join(dir, 'chat4all.db')}`, bus: 'memory:', maxGroupMembers: 1000 })
    expect(warnings).toEqual([])
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(config.jwtSecret)
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dir }).config.jwtSecret).toBe(config.jwtSecret)
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('honours PORT and CHAT4ALL_PORT, reports unknown settings, refuses bad values', () => {
    const dir = dataDir()
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dir, PORT: '9000' }).config.port).toBe(9000)
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dir, PORT: '9000', CHAT4ALL_PORT: '9001' }).config.port).toBe(9001)
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_PROT: '1' }).warnings[0]).toContain('CHAT4ALL_PROT')
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_PORT: 'eighty' })).toThrow(ConfigError)
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_JWT_SECRET: 'short' })).toThrow(/32/)
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_SQLITE_SYNC: 'off' })).toThrow(ConfigError)
  })

  it('serves gRPC on 50051 by default, on any free port with 0, not at all with off', () => {
    const dir = dataDir()
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dir }).config.grpcPort).toBe(50051)
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_GRPC_PORT: '0' }).config.grpcPort).toBe(0)
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_GRPC_PORT: 'off' }).config.grpcPort).toBeNull()
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_GRPC_PORT: '70000' })).toThrow(/CHAT4ALL_GRPC_PORT/)
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_GRPC_PORT: 'yes' })).toThrow(ConfigError)
  })

  it('collects the connectors\' own settings it is told about, and masks their values', () => {
    const docs = { CHAT4ALL_WHATSAPP_ACCESS_TOKEN: 'token', CHAT4ALL_WHATSAPP_BASE_URL: 'base' }
    const { config, warnings } = loadConfig(
      { CHAT4ALL_DATA_DIR: dataDir(), CHAT4ALL_WHATSAPP_ACCESS_TOKEN: 'EAAG-secret', CHAT4ALL_SIMULATORS: 'off', CHAT4ALL_CHANNEL_POLL: 'Telegram' },
      docs,
    )
    expect(warnings).toEqual([])
    expect(config.channels).toMatchObject({ simulators: false, simulatorPrefix: '/_sim', poll: ['telegram'], owner: null, values: { CHAT4ALL_WHATSAPP_ACCESS_TOKEN: 'EAAG-secret' } })
    expect(JSON.stringify(describeConfig(config))).not.toContain('EAAG-secret')
    expect(loadConfig({ CHAT4ALL_DATA_DIR: dataDir(), CHAT4ALL_WHATSAPP_ACCESS_TOKEN: 'x' }).warnings[0]).toContain('CHAT4ALL_WHATSAPP_ACCESS_TOKEN')
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dataDir(), CHAT4ALL_SIMULATORS: 'maybe' })).toThrow(ConfigError)
  })

  it('masks secrets when described', () => {
    const { config } = loadConfig({
      CHAT4ALL_DATA_DIR: dataDir(),
      CHAT4ALL_DB: 'postgres://app:hunter2@db:5432/chat',
      CHAT4ALL_JWT_SECRET: 'z'.repeat(40),
    })
    const described = JSON.stringify(describeConfig(config))
    expect(described).not.toContain('hunter2')
    expect(described).not.toContain('z'.repeat(40))
  })

  it('has file defaults and refuses unusable file settings', () => {
    const dir = dataDir()
    const { config } = loadConfig({ CHAT4ALL_DATA_DIR: dir })
    expect(config.files).toMatchObject({
      blobs: `file:${join(dir, 'blobs')}`,
      maxFileBytes: 2 * 1024 ** 3,
      chunkBytes: 8 * 1024 ** 2,
      uploadExpirySeconds: 86_400,
      publicUrl: null,
    })
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_UPLOAD_CHUNK_BYTES: String(1024 ** 2) })).toThrow(/5242880/)
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_S3_ACCESS_KEY_ID: 'key' })).toThrow(ConfigError)
    expect(() => loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_PUBLIC_URL: 'ftp://x' })).toThrow(ConfigError)
    const s3 = loadConfig({ CHAT4ALL_DATA_DIR: dir, CHAT4ALL_S3_ACCESS_KEY_ID: 'key', CHAT4ALL_S3_SECRET_ACCESS_KEY: 'sesame-secret' })
    expect(JSON.stringify(describeConfig(s3.config))).not.toContain('sesame-secret')
  })
})
