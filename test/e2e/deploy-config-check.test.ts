/**
 * `chat4all config check` as an operator runs it before a deployment: the effective configuration
 * with secrets masked, each dependency contacted, and a non-zero exit naming what is wrong.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { natsAvailable, natsUrl } from '../support/nats.js'
import { postgresAvailable, postgresUrl } from '../support/postgres.js'
import { tempDir } from '../support/platform.js'

const root = new URL('../../', import.meta.url).pathname
const dir = tempDir()
afterAll(() => dir.remove())
const services = (await postgresAvailable()) && (await natsAvailable())

async function check(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), 'config', 'check'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', CHAT4ALL_DATA_DIR: dir.path, ...env },
  })
  try {
    const { stdout, stderr } = await run
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, output: failed.stdout + failed.stderr }
  }
}

const secret = 'a-jwt-secret-that-must-never-be-printed-0123456789'

describe('chat4all config check', () => {
  it.skipIf(!services)('passes on the scaled-out shape when PostgreSQL and NATS answer, and masks every secret', async () => {
    const { code, output } = await check({ CHAT4ALL_DB: postgresUrl, CHAT4ALL_BUS: natsUrl, CHAT4ALL_JWT_SECRET: secret, CHAT4ALL_METRICS_TOKEN: 'metrics-token-0123456789' })
    expect(output).toMatch(/store\s+postgres:\/\/\S+\n\s+ok: PostgreSQL \d+/)
    expect(output).toMatch(/bus\s+nats:\/\/\S+\n\s+ok: NATS [\d.]+ with JetStream/)
    expect(output).toContain('"jwtSecret": "***"')
    expect(output).not.toContain(secret)
    expect(output).not.toContain('metrics-token-0123456789')
    expect(code, output).toBe(0)
  })

  it('fails with exit code 1 naming an unreachable store, and masks the password in its URL', async () => {
    const { code, output } = await check({ CHAT4ALL_DB: 'postgres://app:hunter2-secret@127.0.0.1:1/chat4all' })
    expect(code).toBe(1)
    expect(output).toContain('postgres://app:***@127.0.0.1:1/chat4all')
    expect(output).not.toContain('hunter2-secret')
    expect(output).toMatch(/config check failed: store \(.*ECONNREFUSED/)
  })

  it('fails on a URL of an unknown kind and on a malformed setting', async () => {
    const unknown = await check({ CHAT4ALL_BUS: 'kafka://127.0.0.1:9092' })
    expect(unknown.code).toBe(1)
    expect(unknown.output).toMatch(/config check failed: bus \(unknown scheme in 'kafka:\/\/127\.0\.0\.1:9092'; known: memory:, nats:\/\//)
    const malformed = await check({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })
    expect(malformed.code).toBe(1)
    expect(malformed.output).toContain("configuration error: OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got 'collector:4318'")
  })
})
