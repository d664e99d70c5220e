/** The SDK against a started platform: refresh once under concurrency, safe resends, history cursors, a stream that survives drops. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Chat4AllClient, Chat4AllError, memoryTokenStore, type Message, type StreamFrame } from '../../src/client/index.js'
import { newUser } from '../support/client.js'
import { dropProxy, type DropProxy } from '../support/cli.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const password = 'correct-horse-battery'

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A client logged in as a fresh user, counting its refresh calls. */
async function loggedIn(baseUrl: string, prefix: string) {
  const user = await newUser(baseUrl, prefix)
  let refreshes = 0
  const counting: typeof fetch = (input, init) => {
    if (String(input).endsWith('/auth/refresh')) refreshes++
    return fetch(input, init)
  }
  const client = new Chat4AllClient({ baseUrl, fetch: counting })
  await client.auth.login(user.username, password)
  return { client, user, refreshes: () => refreshes }
}

describe('the SDK', () => {
  let platform: TestPlatform
  let proxy: DropProxy
  beforeAll(async () => {
    platform = await startTestPlatform()
    proxy = await dropProxy(platform.url)
  })
  afterAll(async () => {
    await proxy.close()
    await platform.stop()
  })

  it('refreshes exactly once when many calls find the access token refused at the same time', async () => {
    const { client, user, refreshes } = await loggedIn(platform.url, 'refresh')
    const real = (await client.session.current())!
    // A refused access token (as after a server-side expiry): every call gets 401 and must refresh.
    await client.session.set({ ...real, accessToken: 'refused.access.token' })
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.auth.me()))
    expect(answers.map((me) => me.user_id)).toEqual(Array(12).fill(user.userId))
    expect(refreshes()).toBe(1)
    // Rotation worked: the new refresh token is the live one (a replayed one would have revoked the family).
    const after = (await client.session.current())!
    expect(after.refreshToken).not.toBe(real.refreshToken)
    expect((await client.auth.me()).user_id).toBe(user.userId)
  })

  it('refreshes exactly once when concurrent calls find the access token about to expire', async () => {
    const { client, user, refreshes } = await loggedIn(platform.url, 'expiring')
    const real = (await client.session.current())!
    await client.session.set({ ...real, expiresAt: Date.now() - 1 })
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.conversations.list()))
    expect(answers).toHaveLength(12)
    expect(refreshes()).toBe(1)
    expect((await client.auth.me()).user_id).toBe(user.userId)
  })

  it('answers a refused login and a logged-out session with one typed error', async () => {
    const user = await newUser(platform.url, 'typed')
    const client = new Chat4AllClient({ baseUrl: platform.url, tokens: memoryTokenStore() })
    const refused = await client.auth.login(user.username, 'wrong password!').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(Chat4AllError)
    expect(refused).toMatchObject({ status: 401, code: 'invalid_credentials', type: 'https://chat4all.dev/problems/invalid_credentials' })
    const invalid = await client.conversations.create({ type: 'private', members: ['x'] }).catch((e: unknown) => e)
    expect(invalid).toMatchObject({ code: 'not_logged_in', status: 0 })
    await client.auth.login(user.username, password)
    const bad = await client.conversations.create({ type: 'group', members: [] }).catch((e: unknown) => e)
    expect(bad).toMatchObject({ status: 400, code: 'validation_failed' })
    expect((bad as Chat4AllError).field).toMatch(/members/)
  })

  it('resends with the same message id without duplicating, and iterates history over cursors', async () => {
    const alice = await loggedIn(platform.url, 'pages')
    const bob = await newUser(platform.url, 'pages_to')
    const first = await alice.client.messages.send({ to: bob.username, text: 'once', messageId: '6f1d2c4e-8a3b-4c5d-9e6f-0a1b2c3d4e5f' })
    const again = await alice.client.messages.send({ to: bob.username, text: 'once', messageId: '6f1d2c4e-8a3b-4c5d-9e6f-0a1b2c3d4e5f' })
    expect([first.duplicate, again.duplicate]).toEqual([false, true])
    expect(again.seq).toBe(first.seq)
    for (let i = 2; i <= 130; i++) await alice.client.messages.send({ conversationId: first.conversation_id, text: `m${i}` })
    const seen: number[] = []
    for await (const message of alice.client.messages.iterate(first.conversation_id, { pageSize: 50 })) seen.push(message.seq)
    expect(seen).toEqual(Array.from({ length: 130 }, (_, i) => i + 1))
    const latest = await alice.client.messages.latest(first.conversation_id, 75)
    expect(latest.map((m) => m.seq)).toEqual(Array.from({ length: 75 }, (_, i) => 56 + i))
  })

  it('keeps the live stream whole across dropped connections: every message once, in order', async () => {
    const alice = await loggedIn(platform.url, 'streamer')
    const bobUser = await newUser(platform.url, 'listener')
    const bob = new Chat4AllClient({ baseUrl: proxy.url })
    await bob.auth.login(bobUser.username, password)
    const conversation = await alice.client.conversations.create({ type: 'private', members: [bobUser.username] })
    const id = conversation.conversation_id

    const stream = bob.stream({ backoff: { baseMs: 20, capMs: 200 } })
    const received: Message[] = []
    let drops = 0
    stream.on('frame', (frame: StreamFrame) => {
      if (frame.type === 'message.created' && frame.message.conversation_id === id) received.push(frame.message)
    })
    stream.on('connection', (event) => {
      if (event.state === 'closed') drops++
    })
    await stream.ready()

    const total = 200
    for (let i = 1; i <= total; i++) {
      await alice.client.messages.send({ conversationId: id, text: `n${i}` })
      if (i % 40 === 0) proxy.dropAll()
    }
    await until(() => received.length >= total, `${total} messages on the stream (got ${received.length})`)
    stream.close()
    expect(drops).toBeGreaterThanOrEqual(1)
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    expect(received.map((m) => m.payload.type === 'text' && m.payload.text)).toEqual(Array.from({ length: total }, (_, i) => `n${i + 1}`))
    expect(stream.positions()[id]).toBe(total)
  })
})
