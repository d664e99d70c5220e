/** CHAT4ALL_TLS_CERT / CHAT4ALL_TLS_KEY: the server speaks HTTPS and WSS itself, and sends HSTS then. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'

describe('TLS termination', () => {
  const dir = tempDir('chat4all-tls-')
  const cert = join(dir.path, 'cert.pem')
  const key = join(dir.path, 'key.pem')
  let server: TestPlatform
  let ca: Buffer
  beforeAll(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' })
    ca = readFileSync(cert)
    server = await startTestPlatform({ CHAT4ALL_TLS_CERT: cert, CHAT4ALL_TLS_KEY: key })
  })
  afterAll(async () => {
    await server?.stop()
    dir.remove()
  })

  it('serves the API over HTTPS with HSTS', async () => {
    expect(server.url).toMatch(/^https:\/\//)
    const dispatcher = new Agent({ connect: { ca } })
    const reply = await request(`${server.url}/health`, { dispatcher })
    expect(reply.statusCode).toBe(200)
    expect(reply.headers['strict-transport-security']).toContain('max-age=')
    expect(reply.headers['x-content-type-options']).toBe('nosniff')
    await reply.body.dump()
    await dispatcher.close()
  })

  it('upgrades the live stream over TLS (wss)', async () => {
    const dispatcher = new Agent({ connect: { ca } })
    const post = async (path: string, body: unknown) => {
      const reply = await request(`${server.url}${path}`, {
        dispatcher,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return (await reply.body.json()) as Record<string, unknown>
    }
    const credentials = { username: `tls_${Date.now().toString(36)}`, password: 'correct-horse-battery' }
    await post('/auth/register', credentials)
    const { access_token: token } = await post('/auth/token', credentials)
    const ws = new WebSocket(`${server.url.replace('https', 'wss')}/v1/stream`, ['chat4all.v1'], {
      ca,
      headers: { authorization: `Bearer ${String(token)}` },
    })
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Record<string, unknown>))
      ws.once('error', reject)
    })
    expect(first['type'], 'the first frame of an authenticated stream').toBe('welcome')
    ws.close()
    await dispatcher.close()
  })
})
