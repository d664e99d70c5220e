import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUrlGuard } from '../core/webhooks/url-guard.js'
import { createWebhookPoster } from './webhook-http.js'

let server: Server
let base: string
const paths: string[] = []

beforeAll(async () => {
  server = createServer((request, response) => {
    paths.push(request.url ?? '')
    request.resume()
    if (request.url === '/ok') return response.writeHead(204).end()
    if (request.url === '/redirect') return response.writeHead(302, { location: '/ok' }).end()
    if (request.url === '/slow') return // never answers
    response.writeHead(500).end(`boom ${'x'.repeat(2_000)}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

const never = new AbortController().signal
const allowed = createWebhookPoster({ guard: createUrlGuard({ allowedNetworks: ['127.0.0.0/8'] }), timeoutMs: 300 })
const guarded = createWebhookPoster({ guard: createUrlGuard({ allowedNetworks: [] }), timeoutMs: 300 })
afterAll(() => {
  allowed.close()
  guarded.close()
})

describe('webhook POST', () => {
  it('reports the status, keeping the start of an error body', async () => {
    expect(await allowed.post(`http://${base}/ok`, {}, '{}', never)).toEqual({ statusCode: 204, error: null })
    const failed = await allowed.post(`http://${base}/fail`, {}, '{}', never)
    expect(failed.statusCode).toBe(500)
    expect(failed.error).toMatch(/^HTTP 500: boom x+…?$/)
    expect(failed.error!.length).toBeLessThan(700)
  })

  it('does not follow redirects', async () => {
    paths.length = 0
    expect(await allowed.post(`http://${base}/redirect`, {}, '{}', never)).toMatchObject({ statusCode: 302 })
    expect(paths).toEqual(['/redirect'])
  })

  it('gives up after the timeout, or at once when stopped', async () => {
    expect(await allowed.post(`http://${base}/slow`, {}, '{}', never)).toEqual({ statusCode: null, error: 'timed out after 300 ms' })
    const stop = new AbortController()
    const pending = allowed.post(`http://${base}/slow`, {}, '{}', stop.signal)
    stop.abort()
    expect((await pending).error).toContain('shutting down')
    expect((await allowed.post('http://127.0.0.1:1/', {}, '{}', never)).error).toContain('ECONNREFUSED')
  })

  it('never connects to a refused address, by IP or by name', async () => {
    paths.length = 0
    const port = base.split(':')[1]
    expect(await guarded.post(`http://${base}/ok`, {}, '{}', never)).toEqual({
      statusCode: null,
      error: '127.0.0.1 is a loopback address; webhooks may not call it',
    })
    const byName = await guarded.post(`http://localhost:${port}/ok`, {}, '{}', never)
    expect(byName).toMatchObject({ statusCode: null, error: expect.stringContaining('localhost resolves to') })
    expect(paths).toEqual([])
  })
})
