/**
 * Rate limits through real HTTP: 429 problem+json with Retry-After and RateLimit-* headers on the
 * entry points, sends counted across REST and the WebSocket, failed logins locked per (account,
 * address) without locking the owner out from elsewhere, and counters shared by API processes on
 * PostgreSQL. Windows are 30 days long, so no window ends during a test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser, type Reply } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js'
import { StreamClient, eventually } from '../support/ws.js'

const MONTH = 30 * 24 * 3600
const PASSWORD = 'correct-horse-battery'

function expectLimited(reply: Reply) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(429)
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  expect(reply.body).toMatchObject({ type: 'https://chat4all.dev/problems/rate_limited', code: 'rate_limited', status: 429 })
  const retryAfter = Number(reply.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(reply.body['retry_after']).toBe(retryAfter)
}

describe('rate limits', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform({
      CHAT4ALL_RATE_LIMIT_SEND: `3/${MONTH}`,
      CHAT4ALL_RATE_LIMIT_UPLOAD: `1/${MONTH}`,
      CHAT4ALL_RATE_LIMIT_WEBHOOK: `1/${MONTH}`,
      CHAT4ALL_TRUST_PROXY: 'true',
    })
  })
  afterAll(async () => server.stop())

  it('limits sends per user across POST /v1/messages and the WebSocket send command, with RateLimit headers', async () => {
    const [alice, bob] = [await newUser(server.url, 'rl'), await newUser(server.url, 'rl')]
    const send = (n: number) => alice.post('/v1/messages', { to: bob.userId, payload: { type: 'text', text: `m${n}` } })
    const first = await send(1)
    expect(first.status).toBe(202)
    expect(first.headers.get('ratelimit-limit')).toBe('3')
    expect(first.headers.get('ratelimit-remaining')).toBe('2')
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0)
    expect((await send(2)).status).toBe(202)
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    ws.send({ type: 'send', id: 'w1', to: bob.userId, payload: { type: 'text', text: 'over ws' } })
    await eventually(() => ws.frames.find((f) => f['id'] === 'w1' && f.type === 'ok'), 'the third send is accepted')
    expectLimited(await send(4))
    ws.send({ type: 'send', id: 'w2', to: bob.userId, payload: { type: 'text', text: 'too many' } })
    const refused = await eventually(() => ws.frames.find((f) => f['id'] === 'w2'), 'the fifth send is answered')
    expect(refused).toMatchObject({ type: 'error', code: 'rate_limited', status: 429 })
    await ws.close()
    expect((await bob.post('/v1/messages', { to: alice.userId, payload: { type: 'text', text: 'mine' } })).status, 'per user').toBe(202)
  })

  it('limits uploads started and webhooks registered per user', async () => {
    const user = await newUser(server.url, 'rl')
    const tus = { 'tus-resumable': '1.0.0', 'upload-length': '3' }
    expect((await user.request('POST', '/v1/uploads', undefined, tus)).status).toBe(201)
    expectLimited(await user.request('POST', '/v1/uploads', undefined, tus))
    expectLimited(await user.request('POST', '/v1/files/initiate', { filename: 'a.txt', size: 3 }))
    const hook = { url: 'https://example.com/hook', events: ['message.created'] }
    expect((await user.post('/v1/webhooks', hook)).status).not.toBe(429)
    expectLimited(await user.post('/v1/webhooks', hook))
  })

  it('locks one account for one address after repeated failures, but not for its owner elsewhere', async () => {
    const victim = await newUser(server.url, 'victim')
    const from = (address: string) => (password: string) =>
      new ApiClient(server.url).request('POST', '/auth/token', { username: victim.username.toUpperCase(), password }, { 'x-forwarded-for': address })
    const attacker = from('203.0.113.7')
    for (let i = 0; i < 5; i++) expect((await attacker(`wrong-${i}`)).status).toBe(401)
    expectLimited(await attacker('wrong-again'))
    expectLimited(await attacker(PASSWORD)) // even the right password: the pair is locked
    expect((await from('198.51.100.20')(PASSWORD)).status, 'the owner, from their own address').toBe(200)
  })
})

describe('login slowdown and address limits', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform({
      CHAT4ALL_LOGIN_SLOWDOWN: `2/${MONTH}`,
      CHAT4ALL_LOGIN_MAX_DELAY_MS: '600',
      CHAT4ALL_RATE_LIMIT_REGISTER: `2/${MONTH}`,
      CHAT4ALL_RATE_LIMIT_REFRESH: `2/${MONTH}`,
      CHAT4ALL_TRUST_PROXY: 'true',
    })
  })
  afterAll(async () => server.stop())

  it('slows attempts at one account down progressively, from any address, without refusing the owner', async () => {
    const anonymous = new ApiClient(server.url)
    const username = `slow_${Date.now().toString(36)}`
    expect((await anonymous.post('/auth/register', { username, password: PASSWORD })).status).toBe(201)
    const attempt = async (address: string, password: string) => {
      const started = performance.now()
      const reply = await anonymous.request('POST', '/auth/token', { username, password }, { 'x-forwarded-for': address })
      return { status: reply.status, ms: performance.now() - started }
    }
    await attempt('192.0.2.1', 'nope-1')
    await attempt('192.0.2.2', 'nope-2')
    const third = await attempt('192.0.2.3', 'nope-3')
    expect(third.ms, 'the third attempt waits 250 ms').toBeGreaterThanOrEqual(240)
    const owner = await attempt('192.0.2.99', PASSWORD)
    expect(owner.status).toBe(200)
    expect(owner.ms, 'the fourth waits 500 ms, but succeeds').toBeGreaterThanOrEqual(490)
    expect((await attempt('192.0.2.4', 'nope-4')).ms, 'a success resets the count').toBeLessThan(240)
  })

  it('limits registrations and refreshes per client address', async () => {
    const anonymous = new ApiClient(server.url)
    const register = (n: number, address: string) =>
      anonymous.request('POST', '/auth/register', { username: `reg_${n}_${Date.now().toString(36)}`, password: PASSWORD }, { 'x-forwarded-for': address })
    expect((await register(1, '192.0.2.50')).status).toBe(201)
    expect((await register(2, '192.0.2.50')).status).toBe(201)
    expectLimited(await register(3, '192.0.2.50'))
    expect((await register(4, '192.0.2.51')).status, 'another address').toBe(201)
    const refresh = () => anonymous.request('POST', '/auth/refresh', { refresh_token: 'x'.repeat(43) }, { 'x-forwarded-for': '192.0.2.60' })
    expect((await refresh()).status).toBe(401)
    expect((await refresh()).status).toBe(401)
    expectLimited(await refresh())
  })
})

const pg = await postgresAvailable()

describe.skipIf(!pg)('rate limits shared by API processes on PostgreSQL', () => {
  const schema = uniqueSchema('ratelimits')
  let one: TestPlatform
  let two: TestPlatform
  beforeAll(async () => {
    const env = {
      CHAT4ALL_DB: `${postgresUrl}?schema=${schema}`,
      CHAT4ALL_JWT_SECRET: 'a-shared-secret-of-at-least-32-characters', CHAT4ALL_RATE_LIMIT_SEND: `4/${MONTH}`, CHAT4ALL_AUTH_CACHE_TTL_MS: '300' }
    one = await startTestPlatform(env)
    two = await startTestPlatform(env)
  })
  afterAll(async () => {
    await one?.stop()
    await two?.stop()
    await dropSchema(schema)
  })

  it('counts a user’s sends on every process against one budget', async () => {
    const [alice, bob] = [await newUser(one.url, 'pgrl'), await newUser(one.url, 'pgrl')]
    const via = (url: string) => new ApiClient(url, alice.token)
    const send = (url: string) => via(url).post('/v1/messages', { to: bob.userId, payload: { type: 'text', text: 'hi' } })
    for (const url of [one.url, two.url, one.url, two.url]) expect((await send(url)).status).toBe(202)
    expectLimited(await send(one.url))
    expectLimited(await send(two.url))
  })

  it('stops a deleted account’s tokens at once where it was deleted, and within the cache TTL elsewhere', async () => {
    const user = await newUser(one.url, 'pgdel')
    const elsewhere = new ApiClient(two.url, user.token)
    expect((await elsewhere.get('/v1/conversations')).status).toBe(200)
    expect((await user.delete('/v1/me')).status).toBe(204)
    expect((await user.get('/v1/conversations')).status).toBe(401)
    await new Promise((resolve) => setTimeout(resolve, 350))
    expect((await elsewhere.get('/v1/conversations')).status).toBe(401)
  })
})
