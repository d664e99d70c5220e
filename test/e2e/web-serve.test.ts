/**
 * How the platform serves the web client: the page and its files at `/` with the page's own CSP,
 * hashed assets cached for good and index.html revalidated, compressed copies for clients that
 * take them, deep links answered with the page — and none of it shadowing the API: unknown API
 * paths stay 404 problem+json, API responses keep their closed CSP.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webPagePolicy } from '../../src/transports/http/security.js'
import { webDistDir } from '../../src/transports/http/routes/web.js'
import { ensureWebClientBuilt } from '../support/browser.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

describe('the web client served by the platform', () => {
  let server: TestPlatform
  beforeAll(async () => {
    ensureWebClientBuilt()
    server = await startTestPlatform()
  }, 180_000)
  afterAll(async () => server?.stop())

  const get = (path: string, headers: Record<string, string> = {}) => request(`${server.url}${path}`, { headers })

  it('serves the page at / and at its deep links, revalidated on every load, under the page CSP', async () => {
    for (const path of ['/', '/index.html', `/c/${randomUUID()}`]) {
      const reply = await get(path)
      const body = await reply.body.text()
      expect(reply.statusCode, path).toBe(200)
      expect(reply.headers['content-type'], path).toMatch(/^text\/html/)
      expect(body, path).toContain('<div id="app">')
      expect(reply.headers['cache-control'], path).toBe('no-cache')
      expect(reply.headers['content-security-policy'], path).toBe(webPagePolicy)
      expect(reply.headers['x-frame-options']).toBe('DENY')
    }
    expect(webPagePolicy).toContain("connect-src 'self' ws: wss:")
    expect(webPagePolicy).toContain("img-src 'self' blob: data:")
    expect(webPagePolicy).not.toContain('unsafe')
  })

  it('serves hashed assets for a year, compressed when the client takes it', async () => {
    const html = readFileSync(join(webDistDir, 'index.html'), 'utf8')
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length, 'index.html names its script and stylesheet').toBeGreaterThanOrEqual(2)
    for (const path of assets) {
      const plain = await get(path)
      const bytes = Buffer.from(await plain.body.arrayBuffer())
      expect(plain.statusCode, path).toBe(200)
      expect(plain.headers['cache-control'], path).toBe('public, max-age=31536000, immutable')
      expect(bytes.equals(readFileSync(join(webDistDir, path))), `${path} is the built file`).toBe(true)
      const brotli = await get(path, { 'accept-encoding': 'br' })
      await brotli.body.arrayBuffer()
      expect(brotli.headers['content-encoding'], path).toBe('br')
      expect(Number(brotli.headers['content-length']), `${path} compressed is smaller`).toBeLessThan(bytes.length)
    }
  })

  it('leaves every API path to the API: unknown ones stay 404 problem+json, none answers the page', async () => {
    for (const path of ['/v1/nothing-here', '/auth/nothing-here', '/assets/missing.js', '/c/x/y', '/nothing-here', '/docs', '/openapi.json', '/metrics']) {
      const reply = await get(path)
      const type = String(reply.headers['content-type'])
      const body = await reply.body.text()
      // /docs is a page too (the API's reference), but not the web client's.
      if (path !== '/docs') expect(type, `${path} is not the page`).not.toMatch(/^text\/html/)
      expect(body, `${path} is not the web client`).not.toContain('<div id="app">')
      if (reply.statusCode === 404) expect(type, path).toMatch(/^application\/problem\+json/)
    }
    const health = await get('/health')
    expect(await health.body.json()).toEqual({ status: 'UP' })
    expect(health.headers['content-security-policy'], 'API answers keep their closed policy').toMatch(/^default-src 'none'/)
    const wrongMethod = await request(`${server.url}/v1/conversations`, { method: 'PUT' })
    expect(wrongMethod.statusCode, 'a wrong method on an API path is still a 405').toBe(405)
    await wrongMethod.body.text()
    const tus = await request(`${server.url}/v1/uploads`, { method: 'OPTIONS' })
    await tus.body.text()
    expect(tus.headers['tus-version']).toBeDefined()
    const sim = await get('/_sim/whatsapp/_sim/messages')
    expect(String(sim.headers['content-type'])).toMatch(/json/)
    await sim.body.text()
  })
})
