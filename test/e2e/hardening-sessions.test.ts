/**
 * Sessions and accounts, through real HTTP: refresh-token reuse revokes the family, logout and
 * logout-all, tokens of accounts that no longer exist, and account deletion.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { StreamClient } from '../support/ws.js'

const PASSWORD = 'correct-horse-battery'

describe('sessions and accounts', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform()
  })
  afterAll(async () => server.stop())

  async function loginAs(username: string) {
    const reply = await new ApiClient(server.url).post('/auth/token', { username, password: PASSWORD })
    expect(reply.status).toBe(200)
    return { access: reply.body.access_token as string, refresh: reply.body.refresh_token as string }
  }
  const refresh = (token: string) => new ApiClient(server.url).post('/auth/refresh', { refresh_token: token })

  it('revokes the whole family, successor included, when a rotated refresh token is replayed', async () => {
    const user = await newUser(server.url, 'family')
    const first = await loginAs(user.username)
    const other = await loginAs(user.username)
    const rotated = await refresh(first.refresh)
    expect(rotated.status).toBe(200)
    const replay = await refresh(first.refresh)
    expect(replay.status).toBe(401)
    expect(replay.body).toMatchObject({ code: 'invalid_token' })
    const successor = await refresh(rotated.body.refresh_token as string)
    expect(successor.status, 'the successor issued from the replayed token is revoked too').toBe(401)
    expect((await refresh(other.refresh)).status, 'another session stays').toBe(200)
  })

  it('logout ends the current session only; logout-all ends every session and its access tokens at once', async () => {
    const user = await newUser(server.url, 'logout')
    const [a, b, c] = [await loginAs(user.username), await loginAs(user.username), await loginAs(user.username)]
    const logout = await new ApiClient(server.url, a.access).post('/auth/logout')
    expect(logout.status).toBe(204)
    expect((await refresh(a.refresh)).status).toBe(401)
    const bRotated = await refresh(b.refresh)
    expect(bRotated.status).toBe(200)
    // Naming the session by its refresh token works too.
    expect((await new ApiClient(server.url, c.access).post('/v1/auth/logout', { refresh_token: bRotated.body.refresh_token })).status).toBe(204)
    expect((await refresh(bRotated.body.refresh_token as string)).status).toBe(401)

    const d = await loginAs(user.username)
    expect((await new ApiClient(server.url, d.access).get('/v1/conversations')).status).toBe(200)
    expect((await new ApiClient(server.url, d.access).post('/auth/logout-all')).status).toBe(204)
    for (const session of [c, d]) {
      expect((await new ApiClient(server.url, session.access).get('/v1/conversations')).status, 'access tokens stop at once').toBe(401)
      expect((await refresh(session.refresh)).status).toBe(401)
    }
    const fresh = await loginAs(user.username)
    expect((await new ApiClient(server.url, fresh.access).get('/v1/conversations')).status, 'a new login works').toBe(200)
  })

  it('refuses a validly signed token whose subject is no user, on every route that acts', async () => {
    const bob = await newUser(server.url, 'real')
    const ghost = new ApiClient(server.url, server.platform.ctx.tokens.issueAccess(randomUUID(), 'ghost').token)
    const attempts = [
      await ghost.post('/v1/conversations', { type: 'private', members: [bob.userId] }),
      await ghost.post('/v1/messages', { to: bob.userId, payload: { type: 'text', text: 'boo' } }),
      await ghost.get('/v1/webhooks'),
      await ghost.request('POST', '/v1/uploads', undefined, { 'tus-resumable': '1.0.0', 'upload-length': '3' }),
      await ghost.get('/v1/me'),
    ]
    for (const reply of attempts) expect(reply.body).toMatchObject({ status: 401, code: 'invalid_token' })
    const stream = await StreamClient.connect(server.url, { token: ghost.token!, ready: false })
    expect((await stream.closed).code).toBe(4001)
  })

  it('deletes an account: its tokens stop at once, it leaves its conversations, its messages stay', async () => {
    const alice = await newUser(server.url, 'leaver')
    const bob = await newUser(server.url, 'stayer')
    const tokens = await loginAs(alice.username)
    const group = (await alice.post('/v1/conversations', { type: 'group', members: [bob.userId] })).body.conversation_id as string
    expect((await alice.post('/v1/messages', { conversation_id: group, payload: { type: 'text', text: 'bye' } })).status).toBe(202)
    await alice.post('/v1/webhooks', { url: 'https://example.com/hook', events: ['message.created'] })

    expect((await alice.delete('/v1/me')).status).toBe(204)
    expect((await alice.get('/v1/conversations')).body).toMatchObject({ status: 401, code: 'invalid_token' })
    expect((await alice.post('/v1/messages', { conversation_id: group, payload: { type: 'text', text: 'x' } })).status).toBe(401)
    expect((await new ApiClient(server.url, tokens.access).get('/v1/me')).status).toBe(401)
    expect((await refresh(tokens.refresh)).status).toBe(401)
    expect((await new ApiClient(server.url).post('/auth/token', { username: alice.username, password: PASSWORD })).status).toBe(401)

    const history = await bob.get(`/v1/conversations/${group}/messages`)
    expect(history.body.messages.map((m: { payload: { text: string } }) => m.payload.text)).toEqual(['bye'])
    const members = (await bob.get(`/v1/conversations/${group}`)).body.members as { id?: string; user_id?: string }[]
    expect(JSON.stringify(members)).not.toContain(alice.userId)
  })
})
