/**
 * Who may read /metrics and where it is served: off with CHAT4ALL_METRICS=off, behind a bearer token
 * with CHAT4ALL_METRICS_TOKEN, and on a worker-only process (which serves no API) as well.
 */
import { afterAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { startPlatform } from '../../src/app.js'
import { loadConfig } from '../../src/config/load.js'
import { natsAvailable, natsBusOfItsOwn } from '../support/nats.js'
import { scrape } from '../support/metrics.js'
import { startTestPlatform, tempDir } from '../support/platform.js'

const withNats = await natsAvailable()
const cleanups: (() => Promise<void> | void)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

describe('GET /metrics settings', () => {
  it('is not served with CHAT4ALL_METRICS=off', async () => {
    const server = await startTestPlatform({ CHAT4ALL_METRICS: 'off' })
    cleanups.push(() => server.stop())
    const response = await fetch(`${server.url}/metrics`)
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/)
  })

  it('asks for the bearer token when CHAT4ALL_METRICS_TOKEN is set, and compares it exactly', async () => {
    const token = 'scrape-token-0123456789'
    const server = await startTestPlatform({ CHAT4ALL_METRICS_TOKEN: token })
    cleanups.push(() => server.stop())
    const without = await fetch(`${server.url}/metrics`)
    expect(without.status).toBe(401)
    expect(without.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401)
    const exposition = await scrape(server.url, { authorization: `Bearer ${token}` })
    expect(exposition.families.get('chat4all_messages_accepted_total')).toBe('counter')
  })

  it.skipIf(!withNats)('is served by a worker-only process, with its bus consumers measured', async () => {
    const dir = tempDir()
    const nats = natsBusOfItsOwn()
    const { config } = loadConfig({ CHAT4ALL_DATA_DIR: dir.path, CHAT4ALL_PORT: '0', CHAT4ALL_HOST: '127.0.0.1', CHAT4ALL_BUS: nats.bus })
    const worker = await startPlatform(config, pino({ level: 'silent' }), { api: false, worker: true, relay: false })
    cleanups.push(async () => {
      await worker.stop()
      await nats.cleanup()
      dir.remove()
    })
    expect((await fetch(`${worker.url}/v1/conversations`)).status, 'no API on a worker').toBe(404)
    const exposition = await scrape(worker.url)
    expect(exposition.families.get('chat4all_bus_consumed_events_total')).toBe('counter')
    expect(exposition.families.has('chat4all_stream_connections'), 'no live connections on a worker').toBe(false)
    expect(exposition.families.has('chat4all_outbox_events'), 'the relay reports the outbox, not a worker').toBe(false)
  })
})
