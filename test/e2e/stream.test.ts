import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { StreamClient, eventually } from '../support/ws.js'

let server: TestPlatform

beforeAll(async () => {
  server = await startTestPlatform()
})
afterAll(() => server.stop())

const text = (t: string) => ({ type: 'text', text: t })
const connect = (token: string | undefined, options: Parameters<typeof StreamClient.connect>[1] = {}) =>
  StreamClient.connect(server.url, { ...(token === undefined ? {} : { token }), ...options })

async function pair() {
  const alice = await newUser(server.url, 'alice')
  const bob = await newUser(server.url, 'bob')
  const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
  return { alice, bob, conversationId: created.body.conversation_id as string }
}

describe('live delivery', () => {
  it('delivers every message to every device of every member, the sender’s other devices included', async () => {
    const { alice, bob, conversationId } = await pair()
    const [bobPhone, bobLaptop, aliceCli] = await Promise.all([connect(bob.token), connect(bob.token), connect(alice.token)])
    const sent = []
    for (let i = 1; i <= 5; i++) {
      sent.push((await alice.post('/v1/messages', { conversation_id: conversationId, payload: text(`m${i}`) })).body)
    }
    for (const device of [bobPhone, bobLaptop, aliceCli]) {
      const got = await device.waitForMessages(conversationId, 5)
      expect(got.map((m) => [m.seq, m.content, m.sender_id])).toEqual(sent.map((s, i) => [s.seq, `m${i + 1}`, alice.userId]))
      expect(got[0]).toMatchObject({ message_id: sent[0].message_id, conversation_id: conversationId, payload: text('m1') })
    }
    await Promise.all([bobPhone, bobLaptop, aliceCli].map((d) => d.close()))
  })

  it('shows the sender DELIVERED live when the recipient acks, and READ when they read', async () => {
    const { alice, bob, conversationId } = await pair()
    const [aliceWs, bobWs] = await Promise.all([connect(alice.token), connect(bob.token)])
    await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('one') })
    await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('two') })
    await bobWs.waitForMessages(conversationId, 2)
    bobWs.send({ type: 'ack', id: 'a1', conversation_id: conversationId, up_to_seq: 2 })
    const delivered = await aliceWs.waitFor((f) => f.type === 'message.status' && f.status === 'DELIVERED', 'alice sees DELIVERED')
    expect(delivered).toMatchObject({ conversation_id: conversationId, member_id: bob.userId, up_to_seq: 2, position: null })
    expect(Date.parse(delivered.at)).toBeGreaterThan(Date.now() - 60_000)
    await bobWs.waitFor((f) => f.type === 'ok' && f.id === 'a1', 'bob’s ack is confirmed')

    bobWs.send({ type: 'read', conversation_id: conversationId, up_to_seq: 1 })
    const read = await aliceWs.waitFor((f) => f.type === 'message.status' && f.status === 'READ', 'alice sees READ')
    expect(read).toMatchObject({ member_id: bob.userId, up_to_seq: 1 })
    const detail = await alice.get(`/v1/conversations/${conversationId}`)
    expect(detail.body.members.find((m: any) => m.member_id === bob.userId)).toMatchObject({ delivered_up_to_seq: 2, read_up_to_seq: 1 })
    // Bob's other devices learn it too, so their unread badges agree.
    await bobWs.waitFor((f) => f.type === 'message.status' && f.status === 'READ', 'bob’s own devices see his read')
    await Promise.all([aliceWs.close(), bobWs.close()])
  })

  it('pushes read receipts made over REST and per message', async () => {
    const { alice, bob, conversationId } = await pair()
    const aliceWs = await connect(alice.token)
    const sent = await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('read me') })
    await bob.post(`/v1/messages/${sent.body.message_id}/read`)
    const read = await aliceWs.waitFor((f) => f.type === 'message.status' && f.status === 'READ', 'the READ receipt arrives')
    expect(read).toMatchObject({ member_id: bob.userId, message_id: sent.body.message_id, up_to_seq: 1 })
    await aliceWs.close()
  })

  it('accepts commands sent before the replay is over, answering them in the order they were sent', async () => {
    const { alice, bob, conversationId } = await pair()
    for (let i = 0; i < 300; i++) {
      await alice.post('/v1/messages', { conversation_id: conversationId, payload: { type: 'text', text: `m${i}` } })
    }
    const ws = await connect(bob.token, { ready: false })
    ws.send({ type: 'read', id: 'r', conversation_id: conversationId, up_to_seq: 300 })
    ws.send({ type: 'ping', id: 'p' })
    await ws.waitFor((f) => f.type === 'pong' && f.id === 'p', 'pong')
    const replies = ws.frames.filter((f) => f.type === 'ok' || f.type === 'error' || f.type === 'pong')
    expect(replies.map((f) => [f.type, f.id])).toEqual([
      ['ok', 'r'],
      ['pong', 'p'],
    ])
    const detail = await alice.get(`/v1/conversations/${conversationId}`)
    const member = detail.body.members.find((m: { member_id: string }) => m.member_id === bob.userId)
    expect(member.read_up_to_seq).toBe(300)
    await ws.close()
  })

  it('answers bad commands with an error frame and keeps the connection', async () => {
    const { bob } = await pair()
    const ws = await connect(bob.token)
    ws.socket.send('not json')
    ws.send({ type: 'ack', id: 7, conversation_id: randomUUID(), up_to_seq: 1 })
    ws.send({ type: 'ack', id: 'x', conversation_id: 'c', up_to_seq: -1 })
    ws.send({ type: 'launch' })
    ws.send({ type: 'ping', id: 'p' })
    await ws.waitFor((f) => f.type === 'pong' && f.id === 'p', 'pong')
    const errors = ws.frames.filter((f) => f.type === 'error')
    expect(errors.map((e) => [e.id, e.code, e.field])).toEqual([
      [undefined, 'validation_failed', 'frame'],
      ['7', 'conversation_not_found', 'conversation_id'],
      ['x', 'validation_failed', 'up_to_seq'],
      [undefined, 'validation_failed', 'type'],
    ])
    await ws.close()
  })
})

describe('membership events', () => {
  it('tells members live about new conversations, joins and leaves, and delivers in a conversation joined mid-stream', async () => {
    const owner = await newUser(server.url, 'owner')
    const carol = await newUser(server.url, 'carol')
    const dave = await newUser(server.url, 'dave')
    const [ownerWs, carolWs, daveWs] = await Promise.all([connect(owner.token), connect(carol.token), connect(dave.token)])
    const group = await owner.post('/v1/conversations', { type: 'group', title: 'plans', members: [carol.username] })
    const id = group.body.conversation_id as string
    const created = await carolWs.waitFor((f) => f.type === 'conversation.created', 'carol hears of the group')
    expect(created.conversation).toMatchObject({ conversation_id: id, type: 'group', title: 'plans', created_by: owner.userId })
    expect(created.members.map((m: any) => m.member_id).sort()).toEqual([owner.userId, carol.userId].sort())

    await owner.post('/v1/messages', { conversation_id: id, payload: text('before dave') })
    await owner.post(`/v1/conversations/${id}/members`, { members: [dave.username] })
    const joined = await daveWs.waitFor((f) => f.type === 'member.joined', 'dave hears he joined')
    expect(joined).toMatchObject({ conversation_id: id, members: [{ member_id: dave.userId, role: 'member', joined_after_seq: 1 }] })
    await carolWs.waitFor((f) => f.type === 'member.joined', 'carol hears dave joined')
    await owner.post('/v1/messages', { conversation_id: id, payload: text('after dave') })
    expect((await daveWs.waitForMessages(id, 1)).map((m) => m.content)).toEqual(['after dave'])

    await owner.delete(`/v1/conversations/${id}/members/${carol.userId}`)
    const left = await carolWs.waitFor((f) => f.type === 'member.left', 'carol hears she left')
    expect(left).toMatchObject({ conversation_id: id, member_id: carol.userId })
    await owner.post('/v1/messages', { conversation_id: id, payload: text('without carol') })
    await daveWs.waitForMessages(id, 2)
    await ownerWs.waitForMessages(id, 3)
    expect(carolWs.messages(id).map((m) => m.content)).toEqual(['before dave', 'after dave'])
    await Promise.all([ownerWs, carolWs, daveWs].map((c) => c.close()))
  })
})

describe('typing and presence', () => {
  it('passes typing on to the other members, rate-limited, with an expiry, and stores nothing', async () => {
    const { alice, bob, conversationId } = await pair()
    const [aliceWs, bobWs] = await Promise.all([connect(alice.token), connect(bob.token)])
    for (let i = 0; i < 5; i++) aliceWs.send({ type: 'typing', conversation_id: conversationId })
    const typing = await bobWs.waitFor((f) => f.type === 'typing', 'bob sees alice typing')
    expect(typing).toMatchObject({ conversation_id: conversationId, user_id: alice.userId, position: null })
    const expiresIn = Date.parse(typing.expires_at) - Date.now()
    expect(expiresIn).toBeGreaterThan(1_000)
    expect(expiresIn).toBeLessThanOrEqual(5_000)
    // A message sent after the keystrokes arrives after any typing event they caused.
    await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('done typing') })
    await bobWs.waitForMessages(conversationId, 1)
    expect(bobWs.frames.filter((f) => f.type === 'typing'), 'five keystrokes in a second make one event').toHaveLength(1)
    expect(aliceWs.frames.filter((f) => f.type === 'typing'), 'the typist does not see their own typing').toHaveLength(0)
    const history = await bob.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages.map((m: any) => m.content), 'typing is not stored').toEqual(['done typing'])
    await Promise.all([aliceWs.close(), bobWs.close()])
  })

  it('shows contacts online and offline with last_seen_at, and nobody else', async () => {
    const { alice, bob } = await pair()
    const stranger = await newUser(server.url, 'stranger')
    const aliceWs = await connect(alice.token)
    const initial = await aliceWs.waitFor((f) => f.type === 'presence' && f.user_id === bob.userId, 'bob’s presence at connect')
    expect(initial).toMatchObject({ status: 'offline', last_seen_at: null })

    const strangerWs = await connect(stranger.token)
    const bobPhone = await connect(bob.token)
    const bobLaptop = await connect(bob.token)
    await aliceWs.waitFor((f) => f.type === 'presence' && f.user_id === bob.userId && f.status === 'online', 'bob online')
    const bobSees = await bobPhone.waitFor((f) => f.type === 'presence' && f.user_id === alice.userId, 'bob sees alice')
    expect(bobSees).toMatchObject({ status: 'online', last_seen_at: null })

    await bobPhone.close()
    const mark = aliceWs.frames.length
    await bobLaptop.close()
    const offline = await aliceWs.waitFor(
      (f) => f.type === 'presence' && f.user_id === bob.userId && f.status === 'offline',
      'bob offline once his last device left',
      { from: mark },
    )
    expect(Date.parse(offline.last_seen_at)).toBeGreaterThan(Date.now() - 10_000)
    expect(aliceWs.frames.filter((f) => f.type === 'presence' && f.user_id === bob.userId).map((f) => f.status)).toEqual([
      'offline',
      'online',
      'offline',
    ])
    expect(aliceWs.frames.some((f) => f.type === 'presence' && f.user_id === stranger.userId)).toBe(false)

    // A later connection reads the stored last_seen_at.
    const again = await connect(alice.token)
    const snapshot = await again.waitFor((f) => f.type === 'presence' && f.user_id === bob.userId, 'bob’s presence')
    expect(snapshot).toMatchObject({ status: 'offline', last_seen_at: offline.last_seen_at })
    await Promise.all([aliceWs.close(), strangerWs.close(), again.close()])
  })
})

describe('authentication', () => {
  it('accepts the token in the header, the query and the browser subprotocol', async () => {
    const { bob } = await pair()
    for (const via of ['header', 'query', 'protocol'] as const) {
      const ws = await connect(bob.token, { via })
      expect(ws.frames[0]).toMatchObject({ type: 'welcome', user_id: bob.userId })
      if (via === 'protocol') expect(ws.socket.protocol).toBe('chat4all.v1')
      await ws.close()
    }
  })

  it('closes with 4001 and a reason for a missing, malformed or badly signed token', async () => {
    const { bob } = await pair()
    const [header, payload] = bob.token!.split('.')
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`
    for (const token of [undefined, 'garbage', forged]) {
      const ws = await connect(token, { ready: false })
      const closed = await ws.closed
      expect(closed.code, `token ${String(token)}`).toBe(4001)
      expect(closed.reason).toMatch(/token/i)
      expect(ws.frames).toEqual([])
    }
  })

  it('answers a plain GET /v1/stream with 426 and problem+json', async () => {
    const { bob } = await pair()
    const reply = await bob.get('/v1/stream')
    expect(reply.status).toBe(426)
    expect(reply.body).toMatchObject({ code: 'upgrade_required' })
  })
})

describe('token expiry', () => {
  let short: TestPlatform
  beforeAll(async () => {
    short = await startTestPlatform({ CHAT4ALL_ACCESS_TOKEN_TTL: '2' })
  })
  afterAll(() => short.stop())

  it('closes with 4001 when the token expires during the connection, and a fresh token reconnects', async () => {
    const user = await newUser(short.url, 'brief')
    const ws = await StreamClient.connect(short.url, { token: user.token! })
    const closed = await ws.closed
    expect(closed).toEqual({ code: 4001, reason: 'token expired' })
    const expired = await StreamClient.connect(short.url, { token: user.token!, ready: false })
    expect((await expired.closed).code).toBe(4001)
    const fresh = short.platform.ctx.tokens.issueAccess(user.userId, user.username)
    const again = await StreamClient.connect(short.url, { token: fresh.token })
    await eventually(() => again.frames.some((f) => f.type === 'ready'), 'the fresh token is accepted')
    await again.close()
  })
})
