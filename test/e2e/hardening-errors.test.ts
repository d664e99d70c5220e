/**
 * Bad input is a 4xx problem+json, never a 500, whatever layer refuses it: the JSON parser (depth),
 * the schemas (numbers), the router (bad URLs, unknown routes, wrong methods), content types and
 * sizes. And what the API tells browsers: CORS when configured, security headers always.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'undici'
import { newUser, type ApiClient } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

async function raw(url: string, method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}) {
  const response = await request(`${url}${path}`, { method: method as 'GET', headers: init.headers ?? {}, body: init.body ?? null })
  const text = await response.body.text()
  return { status: response.statusCode, headers: response.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null }
}

function expectProblem(reply: Awaited<ReturnType<typeof raw>>, status: number, code: string) {
  expect(reply.status, reply.text).toBe(status)
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(reply.json).toMatchObject({ type: `https://chat4all.dev/problems/${code}`, status, code })
}

describe('no 500 from bad input; every error is problem+json', () => {
  let server: TestPlatform
  let alice: ApiClient & { userId: string }
  let conversationId: string
  beforeAll(async () => {
    server = await startTestPlatform()
    alice = await newUser(server.url, 'err')
    const bob = await newUser(server.url, 'err')
    conversationId = (await alice.post('/v1/conversations', { type: 'private', members: [bob.userId] })).body.conversation_id as string
  })
  afterAll(async () => server.stop())
  const auth = () => ({ authorization: `Bearer ${alice.token!}`, 'content-type': 'application/json' })

  it('refuses deeply nested metadata with 400 json_too_deep (it used to overflow the stack: 500)', async () => {
    const body = `{"conversation_id":"${conversationId}","payload":{"type":"text","text":"hi"},"metadata":${nested(5000)}}`
    expectProblem(await raw(server.url, 'POST', '/v1/messages', { body, headers: auth() }), 400, 'json_too_deep')
    const modest = `{"conversation_id":"${conversationId}","payload":{"type":"text","text":"hi"},"metadata":${nested(10)}}`
    expect((await raw(server.url, 'POST', '/v1/messages', { body: modest, headers: auth() })).status).toBe(202)
  })

  it('refuses Infinity, 1e309 and other unbounded numbers in query strings and bodies with 400', async () => {
    for (const query of ['limit=Infinity', 'after_seq=1e309', 'before_seq=Infinity', 'offset=9007199254740993', 'limit=-1', 'limit=NaN']) {
      const reply = await raw(server.url, 'GET', `/v1/conversations/${conversationId}/messages?${query}`, { headers: auth() })
      expectProblem(reply, 400, 'validation_failed')
    }
    const read = await raw(server.url, 'POST', `/v1/conversations/${conversationId}/read`, { body: '{"up_to_seq":1e309}', headers: auth() })
    expectProblem(read, 400, 'validation_failed')
  })

  it('answers a path with invalid percent-encoding or invalid UTF-8 with 400 bad_url', async () => {
    expectProblem(await raw(server.url, 'GET', '/v1/messages/%zz', { headers: auth() }), 400, 'bad_url')
    expectProblem(await raw(server.url, 'GET', '/v1/conversations/%C3%28', { headers: auth() }), 400, 'bad_url')
    expectProblem(await raw(server.url, 'GET', '/v1/messages/%E0%A4%A', { headers: auth() }), 400, 'bad_url')
  })

  it('answers an unknown route 404 and a known path with the wrong method 405 with Allow', async () => {
    expectProblem(await raw(server.url, 'GET', '/v1/nothing-here'), 404, 'route_not_found')
    const wrong = await raw(server.url, 'PUT', '/v1/messages', { headers: auth(), body: '{}' })
    expectProblem(wrong, 405, 'method_not_allowed')
    expect(wrong.headers['allow']).toBe('POST')
    const me = await raw(server.url, 'PATCH', '/v1/me', { headers: auth(), body: '{}' })
    expectProblem(me, 405, 'method_not_allowed')
    expect(me.headers['allow']).toBe('GET, HEAD, DELETE')
  })

  it('answers an unsupported media type 415 and a body over the limit 413', async () => {
    const xml = await raw(server.url, 'POST', '/v1/messages', { headers: { ...auth(), 'content-type': 'application/xml' }, body: '<a/>' })
    expectProblem(xml, 415, 'unsupported_media_type')
    const huge = Buffer.alloc(2 * 1024 * 1024, 'a')
    const big = await raw(server.url, 'POST', '/v1/messages', { headers: auth(), body: Buffer.concat([Buffer.from('{"x":"'), huge, Buffer.from('"}')]) })
    expectProblem(big, 413, 'payload_too_large')
  })

  it('answers malformed JSON and a prototype-poisoning body with 400', async () => {
    expectProblem(await raw(server.url, 'POST', '/v1/messages', { headers: auth(), body: '{"a":' }), 400, 'malformed_json')
    const poisoned = await raw(server.url, 'POST', '/v1/conversations', { headers: auth(), body: '{"__proto__":{"x":1}}' })
    expect(poisoned.status).toBe(400)
    expect(poisoned.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('sends security headers suited to an API, and no HSTS over plain HTTP', async () => {
    const reply = await raw(server.url, 'GET', '/health')
    expect(reply.headers['x-content-type-options']).toBe('nosniff')
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'")
    expect(reply.headers['strict-transport-security']).toBeUndefined()
  })

  it('keeps CORS closed by default: no Access-Control-Allow-Origin', async () => {
    const reply = await raw(server.url, 'GET', '/health', { headers: { origin: 'https://app.example.com' } })
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('CORS when configured', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform({ CHAT4ALL_CORS_ORIGINS: 'https://app.example.com' })
  })
  afterAll(async () => server.stop())

  it('answers a preflight for tus with the methods and headers Uppy needs', async () => {
    const reply = await raw(server.url, 'OPTIONS', '/v1/uploads', {
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,tus-resumable,upload-length,upload-metadata',
      },
    })
    expect(reply.status).toBe(204)
    expect(reply.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(String(reply.headers['access-control-allow-methods'])).toContain('PATCH')
    expect(String(reply.headers['access-control-allow-headers']).toLowerCase()).toContain('upload-length')
  })

  it('exposes tus headers (Location, Upload-Offset …) to the allowed origin, and nothing to others', async () => {
    const user = await newUser(server.url, 'cors')
    const created = await raw(server.url, 'POST', '/v1/uploads', {
      headers: { origin: 'https://app.example.com', authorization: `Bearer ${user.token!}`, 'tus-resumable': '1.0.0', 'upload-length': '3' },
    })
    expect(created.status).toBe(201)
    const exposed = String(created.headers['access-control-expose-headers']).toLowerCase()
    for (const header of ['location', 'upload-offset', 'upload-length', 'tus-resumable', 'ratelimit-remaining']) expect(exposed).toContain(header)
    const other = await raw(server.url, 'GET', '/health', { headers: { origin: 'https://evil.example.com' } })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })
})
