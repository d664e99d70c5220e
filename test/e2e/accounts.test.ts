import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSigner } from 'fast-jwt'
import { ApiClient, newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

let server: TestPlatform
let anonymous: ApiClient

beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_JWT_SECRET: 'x'.repeat(40), CHAT4ALL_ACCESS_TOKEN_TTL: '60' })
  anonymous = new ApiClient(server.url)
})
afterAll(() => server.stop())

const password = 'correct-horse-battery'

describe('accounts and tokens', () => {
  it('registers, logs in and reads /v1/me', async () => {
    const registered = await anonymous.post('/auth/register', {
      username: 'Carol.Smith',
      password,
      email: 'Carol@Example.com',
      display_name: 'Carol',
    })
    expect(registered.status).toBe(201)
    expect(registered.body).toMatchObject({ username: 'Carol.Smith', display_name: 'Carol' })
    expect(registered.body.user_id).toMatch(/^[0-9a-f-]{36}$/)

    const token = await anonymous.post('/auth/token', { username: 'carol.smith', password })
    expect(token.status).toBe(200)
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 60 })
    expect(typeof token.body.refresh_token).toBe('string')

    const me = await new ApiClient(server.url, token.body.access_token).get('/v1/me')
    expect(me.status).toBe(200)
    expect(me.body.user_id).toBe(registered.body.user_id)
    expect(me.body).not.toHaveProperty('password_hash')
  })

  it('refuses a taken username (any case) or email with 409 and a field', async () => {
    await anonymous.post('/auth/register', { username: 'dave', password, email: 'dave@example.com' })
    const sameName = await anonymous.post('/auth/register', { username: 'DAVE', password })
    expect(sameName.status).toBe(409)
    expect(sameName.body).toMatchObject({ code: 'username_taken', field: 'username' })
    const sameEmail = await anonymous.post('/auth/register', { username: 'dave2', password, email: 'DAVE@example.com' })
    expect(sameEmail.status).toBe(409)
    expect(sameEmail.body).toMatchObject({ code: 'email_taken', field: 'email' })
  })

  it('validates registration input, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ username: 'ab', password }, 'username'],
      [{ username: 'has space', password }, 'username'],
      [{ username: 'x'.repeat(51), password }, 'username'],
      [{ username: 'okname', password: 'short' }, 'password'],
      [{ username: 'okname' }, 'password'],
      [{ username: 'okname', password, email: 'not-an-email' }, 'email'],
      [{ username: 'okname', password, admin: true }, 'admin'],
      [{ username: 123, password }, 'username'],
    ]
    for (const [body, field] of cases) {
      const reply = await anonymous.post('/auth/register', body)
      expect(reply.status, JSON.stringify(body)).toBe(400)
      expect(reply.headers.get('content-type')).toContain('application/problem+json')
      expect(reply.body.field, JSON.stringify(body)).toBe(field)
    }
    expect((await anonymous.post('/auth/token', { username: 'okname', password })).status).toBe(401)
  })

  it('gives the same 401 for an unknown user and a wrong password', async () => {
    await anonymous.post('/auth/register', { username: 'erin', password })
    const wrong = await anonymous.post('/auth/token', { username: 'erin', password: 'wrong-password' })
    const unknown = await anonymous.post('/auth/token', { username: 'nobody-here', password })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body.detail).toBe(unknown.body.detail)
    expect(wrong.body.code).toBe(unknown.body.code)
  })

  it('rotates refresh tokens: the old one stops working', async () => {
    await anonymous.post('/auth/register', { username: 'frank', password })
    const first = await anonymous.post('/auth/token', { username: 'frank', password })
    const rotated = await anonymous.post('/auth/refresh', { refresh_token: first.body.refresh_token })
    expect(rotated.status).toBe(200)
    expect(rotated.body.refresh_token).not.toBe(first.body.refresh_token)
    expect((await new ApiClient(server.url, rotated.body.access_token).get('/v1/me')).status).toBe(200)
    const reused = await anonymous.post('/auth/refresh', { refresh_token: first.body.refresh_token })
    expect(reused.status).toBe(401)
    expect(reused.body.code).toBe('invalid_token')
  })

  it('refuses missing, malformed, badly signed, expired and alg:none tokens', async () => {
    const user = await newUser(server.url)
    const claims = { sub: user.userId, name: user.username, iss: 'chat4all' }
    const forged = createSigner({ key: 'y'.repeat(40), algorithm: 'HS256' })(claims)
    const expired = createSigner({ key: 'x'.repeat(40), algorithm: 'HS256' })({
      ...claims,
      exp: Math.floor(Date.now() / 1000) - 10,
    })
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
    const payload = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')
    const none = `${header}.${payload}.`
    for (const token of [undefined, 'garbage', forged, expired, none]) {
      const reply = await new ApiClient(server.url, token).get('/v1/me')
      expect(reply.status, String(token)).toBe(401)
      expect(reply.headers.get('content-type')).toContain('application/problem+json')
    }
    const basic = await new ApiClient(server.url).request('GET', '/v1/me', undefined, { authorization: 'Basic abc' })
    expect(basic.status).toBe(401)
  })
})
