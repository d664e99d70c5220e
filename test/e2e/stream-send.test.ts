/**
 * The WebSocket `send` command: POST /v1/messages over the stream, answered after the commit, in
 * the order sent even when pipelined, idempotent by message_id, and safe across a crash.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { newUser, type ApiClient } from '../support/client.js'
import { spawnServer, startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'
import { StreamClient, eventually, type Frame } from '../support/ws.js'

const text = (t: string) => ({ type: 'text', text: t })
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const isReply = (f: Frame) => f.type === 'ok' || f.type === 'error' || f.type === 'pong'

/** The replies (ok / error / pong) the client got, in arrival order. */
const repliesOf = (ws: StreamClient) => ws.frames.filter(isReply)

/** Waits until the reply to each of these command ids arrived; returns them by id. */
async function replies(ws: StreamClient, ids: readonly string[], timeoutMs = 20_000): Promise<Map<string, Frame>> {
  const wanted = new Set(ids)
  return eventually(
    () => {
      const got = new Map(repliesOf(ws).filter((f) => wanted.has(f.id)).map((f) => [f.id as string, f]))
      return got.size === wanted.size ? got : undefined
    },
    `replies to ${ids.length} commands`,
    timeoutMs,
  )
}

async function lastSeq(client: ApiClient, conversationId: string): Promise<number> {
  return (await client.get(`/v1/conversations/${conversationId}`)).body.last_seq as number
}

describe('sending over the stream', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform()
  })
  afterAll(() => server.stop())

  async function pair() {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    return { alice, bob, conversationId: created.body.conversation_id as string }
  }

  it('answers after the commit with the seq and time; the message is in history and on every device', async () => {
    const { alice, bob, conversationId } = await pair()
    const connect = (u: ApiClient) => StreamClient.connect(server.url, { token: u.token! })
    const [phone, laptop, bobWs] = await Promise.all([connect(alice), connect(alice), connect(bob)])
    const messageId = randomUUID()
    phone.send({ type: 'send', id: 'c1', message_id: messageId, conversation_id: conversationId, payload: text('hello'), metadata: { via: 'ws' } })
    const ok = (await replies(phone, ['c1'])).get('c1')!
    expect(ok).toEqual({
      type: 'ok',
      position: null,
      id: 'c1',
      message_id: messageId,
      conversation_id: conversationId,
      seq: 1,
      created_at: expect.any(String),
      status: 'accepted',
    })
    expect(Date.parse(ok.created_at)).toBeGreaterThan(Date.now() - 60_000)
    // Durable when answered: history has it at once.
    const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages).toMatchObject([{ message_id: messageId, seq: 1, content: 'hello', metadata: { via: 'ws' }, created_at: ok.created_at }])
    // Everyone's devices get it, the sender's own included (the sending one too).
    for (const device of [bobWs, laptop, phone]) {
      const [message] = await device.waitForMessages(conversationId, 1)
      expect(message).toMatchObject({ message_id: messageId, seq: 1, sender_id: alice.userId, payload: text('hello') })
    }
    await Promise.all([phone, laptop, bobWs].map((d) => d.close()))
  })

  it('commits 200 pipelined sends in the order sent, answering in order, a ping among them in its place', async () => {
    const { alice, bob, conversationId } = await pair()
    const group = await alice.post('/v1/conversations', { type: 'group', members: [bob.username] })
    const groupId = group.body.conversation_id as string
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    // Bob writes into the group over HTTP meanwhile: Alice's seqs there rise, not necessarily by one.
    const bobSending = Promise.all(range(1, 30).map((i) => bob.post('/v1/messages', { conversation_id: groupId, payload: text(`bob ${i}`) })))
    const commands: string[] = []
    for (let i = 0; i < 200; i++) {
      if (i === 100) {
        ws.send({ type: 'ping', id: 'p' })
        commands.push('p')
      }
      const target = i % 2 === 0 ? conversationId : groupId
      ws.send({ type: 'send', id: `s${i}`, conversation_id: target, payload: text(`n${i}`) })
      commands.push(`s${i}`)
    }
    const got = await replies(ws, commands)
    await bobSending
    expect(repliesOf(ws).map((f) => f.id), 'replies in the order of the commands').toEqual(commands)
    expect(got.get('p')?.type).toBe('pong')
    const sent = range(0, 199).map((i) => got.get(`s${i}`)!)
    expect(sent.every((f) => f.type === 'ok' && f.status === 'accepted')).toBe(true)
    const direct = sent.filter((_, i) => i % 2 === 0).map((f) => f.seq as number)
    expect(direct, 'the private conversation: 1 … 100 in send order').toEqual(range(1, 100))
    const inGroup = sent.filter((_, i) => i % 2 === 1).map((f) => f.seq as number)
    expect(inGroup.every((seq, i) => i === 0 || seq > inGroup[i - 1]!), 'the group: strictly increasing in send order').toBe(true)
    expect(await lastSeq(alice, groupId)).toBe(130)
    // The stored order is the send order.
    const history = await alice.get(`/v1/conversations/${conversationId}/messages?after_seq=0&limit=200`)
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(range(0, 99).map((i) => `n${2 * i}`))
    await ws.close()
  })

  it('refuses an invalid send with an error frame naming the field, stores nothing, and keeps the connection', async () => {
    const { alice, conversationId } = await pair()
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    const bad: [string, Record<string, unknown>][] = [
      ['no-payload', { conversation_id: conversationId }],
      ['empty-text', { conversation_id: conversationId, payload: text('') }],
      ['bad-id', { message_id: 'not-a-uuid', conversation_id: conversationId, payload: text('x') }],
      ['extra', { conversation_id: conversationId, payload: text('x'), colour: 'red' }],
      ['nowhere', { payload: text('x') }],
      ['too-long', { conversation_id: conversationId, payload: text('é'.repeat(40_000)) }],
      ['not-me', { conversation_id: conversationId, payload: text('x'), sender_id: randomUUID() }],
    ]
    for (const [id, body] of bad) ws.send({ type: 'send', id, ...body })
    ws.send({ type: 'ping', id: 'p' })
    const got = await replies(ws, [...bad.map(([id]) => id), 'p'])
    const summary = bad.map(([id]) => {
      const f = got.get(id)!
      return [id, f.type, f.code, f.status, f.field]
    })
    expect(summary).toEqual([
      ['no-payload', 'error', 'validation_failed', 400, 'payload'],
      ['empty-text', 'error', 'validation_failed', 400, 'payload.text'],
      ['bad-id', 'error', 'validation_failed', 400, 'message_id'],
      ['extra', 'error', 'validation_failed', 400, 'colour'],
      ['nowhere', 'error', 'validation_failed', 400, 'conversation_id'],
      ['too-long', 'error', 'payload_too_large', 413, 'payload.text'],
      ['not-me', 'error', 'sender_mismatch', 403, 'sender_id'],
    ])
    expect(got.get('extra')).toMatchObject({ title: 'Request validation failed', detail: "Unknown field 'colour'", position: null })
    // The same body over HTTP fails the same way.
    const overHttp = await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('x'), colour: 'red' })
    expect(overHttp.body).toMatchObject({ code: 'validation_failed', field: 'colour', detail: "Unknown field 'colour'" })
    expect(await lastSeq(alice, conversationId)).toBe(0)
    expect(ws.socket.readyState).toBe(ws.socket.OPEN)
    await ws.close()
  })

  it('gives back the original for a repeated message_id, on either transport, and refuses the id for another body', async () => {
    const { alice, conversationId } = await pair()
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    const messageId = randomUUID()
    const body = { message_id: messageId, conversation_id: conversationId, payload: text('once') }
    ws.send({ type: 'send', id: 'first', ...body })
    ws.send({ type: 'send', id: 'other', conversation_id: conversationId, payload: text('another') })
    ws.send({ type: 'send', id: 'retry', ...body })
    ws.send({ type: 'send', id: 'changed', ...body, payload: text('not the same') })
    const got = await replies(ws, ['first', 'other', 'retry', 'changed'])
    expect(got.get('first')).toMatchObject({ status: 'accepted', seq: 1, message_id: messageId })
    expect(got.get('other')).toMatchObject({ status: 'accepted', seq: 2 })
    expect(got.get('retry')).toMatchObject({ status: 'duplicate', seq: 1, message_id: messageId, created_at: got.get('first')!.created_at })
    expect(got.get('changed')).toMatchObject({ type: 'error', code: 'idempotency_conflict', status: 409, field: 'message_id' })
    const overHttp = await alice.post('/v1/messages', body)
    expect(overHttp.status).toBe(200)
    expect(overHttp.body.seq).toBe(1)
    expect(await lastSeq(alice, conversationId)).toBe(2)
    await ws.close()
  })

  it('answers a send to a conversation the user is not in as not found', async () => {
    const alice = await newUser(server.url, 'alice')
    const { conversationId: theirs } = await pair()
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    ws.send({ type: 'send', id: 'theirs', conversation_id: theirs, payload: text('let me in') })
    ws.send({ type: 'send', id: 'none', conversation_id: randomUUID(), payload: text('anyone?') })
    const got = await replies(ws, ['theirs', 'none'])
    for (const id of ['theirs', 'none']) {
      expect(got.get(id)).toMatchObject({ type: 'error', code: 'conversation_not_found', status: 404, field: 'conversation_id' })
    }
    await ws.close()
  })

  it('sends by `to`, finding the private conversation after the first time', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    ws.send({ type: 'send', id: 'a', to: bob.username, payload: text('first') })
    ws.send({ type: 'send', id: 'b', to: bob.userId, payload: text('second') })
    ws.send({ type: 'send', id: 'c', recipient_id: bob.username, content: 'compact' })
    const got = await replies(ws, ['a', 'b', 'c'])
    const conversationId = got.get('a')!.conversation_id as string
    expect([...got.values()].map((f) => [f.conversation_id, f.seq])).toEqual([
      [conversationId, 1],
      [conversationId, 2],
      [conversationId, 3],
    ])
    const listed = await bob.get('/v1/conversations')
    expect(listed.body.conversations.filter((c: { type: string }) => c.type === 'private')).toHaveLength(1)
    await ws.close()
  })

  it('closes with 1009 on a frame beyond any message’s size', async () => {
    const alice = await newUser(server.url, 'alice')
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    ws.send({ type: 'send', id: 'huge', conversation_id: randomUUID(), payload: text('x'.repeat(1024 * 1024)) })
    expect((await ws.closed).code).toBe(1009)
  })
})

describe('the sender’s own messages', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform()
  })
  afterAll(() => server.stop())

  it('are not replayed to a device of the sender that connects later, though unacknowledged messages of others are', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const id = created.body.conversation_id as string
    const phone = await StreamClient.connect(server.url, { token: alice.token! })
    for (let i = 1; i <= 3; i++) phone.send({ type: 'send', id: `a${i}`, conversation_id: id, payload: text(`a${i}`) })
    await alice.post('/v1/messages', { conversation_id: id, payload: text('a4 over http') })
    await replies(phone, ['a1', 'a2', 'a3'])
    const laptop = await StreamClient.connect(server.url, { token: alice.token! })
    expect(laptop.frames.find((f) => f.type === 'ready')?.replayed, 'nothing of her own to replay').toBe(0)
    expect(laptop.messages(id)).toEqual([])

    // Bob answers; Alice's phone receives and acknowledges it, then she writes on.
    await bob.post('/v1/messages', { conversation_id: id, payload: text('b5') })
    await phone.waitForMessages(id, 5)
    phone.send({ type: 'ack', id: 'ack5', conversation_id: id, up_to_seq: 5 })
    await replies(phone, ['ack5'])
    phone.send({ type: 'send', id: 'a6', conversation_id: id, payload: text('a6') })
    await replies(phone, ['a6'])
    const tablet = await StreamClient.connect(server.url, { token: alice.token! })
    expect(tablet.messages(id)).toEqual([])

    // A message of Bob's that no device of hers acknowledged still comes, with what followed it.
    await bob.post('/v1/messages', { conversation_id: id, payload: text('b7') })
    phone.send({ type: 'send', id: 'a8', conversation_id: id, payload: text('a8') })
    await replies(phone, ['a8'])
    const watch = await StreamClient.connect(server.url, { token: alice.token! })
    expect(watch.messages(id).map((m) => m.content)).toEqual(['b7', 'a8'])
    const detail = await alice.get(`/v1/conversations/${id}`)
    expect(detail.body.members.find((m: { member_id: string }) => m.member_id === alice.userId)).toMatchObject({
      delivered_up_to_seq: 6,
      read_up_to_seq: 4,
    })
    await Promise.all([phone, laptop, tablet, watch].map((d) => d.close()))
  })
})

describe('a crash during pipelined sends', () => {
  it('keeps every acknowledged send exactly once; resending the rest by message_id stores each once, gap-free', async () => {
    const dir = tempDir('chat4all-send-crash-')
    onTestFinished(() => dir.remove())
    const env = { CHAT4ALL_DATA_DIR: dir.path, CHAT4ALL_PORT: '0' }
    const first = await spawnServer(env)
    const alice = await newUser(first.url, 'alice')
    const bob = await newUser(first.url, 'bob')
    const conversations: string[] = []
    for (let i = 0; i < 2; i++) {
      conversations.push((await alice.post('/v1/conversations', { type: 'group', members: [bob.username] })).body.conversation_id as string)
    }
    const sent: { id: string; body: Record<string, unknown> }[] = []
    const sendNext = (ws: StreamClient, count: number) => {
      for (let i = 0; i < count; i++) {
        const n = sent.length
        const body = { message_id: randomUUID(), conversation_id: conversations[n % 2]!, payload: text(`m${n}`) }
        sent.push({ id: `s${n}`, body })
        ws.send({ type: 'send', id: `s${n}`, ...body })
      }
    }
    const ws = await StreamClient.connect(first.url, { token: alice.token! })
    const okCount = () => ws.frames.filter((f) => f.type === 'ok').length
    // Steady pipelined traffic, then a burst that the kill cuts through.
    while (okCount() < 400) {
      if (sent.length - okCount() < 150) sendNext(ws, 50)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    const before = okCount()
    sendNext(ws, 400)
    await eventually(() => okCount() > before, 'the burst to be under way')
    first.child.kill('SIGKILL')
    expect(await first.exited).toBe('SIGKILL')
    await ws.closed

    const oks = ws.frames.filter((f) => f.type === 'ok')
    expect(ws.frames.filter((f) => f.type === 'error')).toEqual([])
    expect(oks.map((f) => f.id), 'answers are a prefix of the sends, in order').toEqual(sent.slice(0, oks.length).map((s) => s.id))
    const unacked = sent.slice(oks.length)
    console.info(`stream send crash: ${sent.length} sent, ${oks.length} acknowledged, ${unacked.length} to resend`)
    expect(unacked.length).toBeGreaterThan(0)

    const stored = (path: string) => {
      const db = new Database(path, { readonly: true })
      try {
        return db.prepare('SELECT id, conversation_id, seq, payload FROM messages').all() as { id: string; conversation_id: string; seq: number; payload: string }[]
      } finally {
        db.close()
      }
    }
    const file = join(dir.path, 'chat4all.db')
    const atCrash = new Map(stored(file).map((m) => [m.id, m]))
    for (const [i, ok] of oks.entries()) {
      const { body } = sent[i]!
      expect(atCrash.get(body.message_id as string), `acknowledged ${ok.id} is stored as acknowledged`).toMatchObject({
        conversation_id: body.conversation_id,
        seq: ok.seq,
      })
    }
    for (const id of conversations) {
      const acked = oks.filter((f) => f.conversation_id === id).map((f) => f.seq as number)
      expect(acked.every((seq, i) => i === 0 || seq === acked[i - 1]! + 1), `${id}: acknowledged seqs follow the send order`).toBe(true)
    }

    const second = await spawnServer(env)
    try {
      const again = await StreamClient.connect(second.url, { token: alice.token! })
      for (const { id, body } of unacked) again.send({ type: 'send', id, ...body })
      const got = await replies(again, unacked.map((u) => u.id))
      const duplicates = unacked.filter((u) => atCrash.has(u.body.message_id as string)).length
      console.info(`stream send crash: of the resent, ${duplicates} were stored before the kill, ${unacked.length - duplicates} were not`)
      for (const { id, body } of unacked) {
        const reply = got.get(id)!
        const before = atCrash.get(body.message_id as string)
        // Committed before the kill (the answer was lost): the original; otherwise stored now.
        expect(reply, `resent ${id}`).toMatchObject(before ? { type: 'ok', status: 'duplicate', seq: before.seq } : { type: 'ok', status: 'accepted' })
      }
      await again.close()
      const all = stored(file)
      expect(all).toHaveLength(sent.length)
      expect(new Set(all.map((m) => m.payload)).size, 'every message once').toBe(sent.length)
      for (const id of conversations) {
        const seqs = all.filter((m) => m.conversation_id === id).map((m) => m.seq).sort((x, y) => x - y)
        expect(seqs, `${id}: seqs gap-free`).toEqual(range(1, seqs.length))
      }
    } finally {
      second.child.kill('SIGTERM')
      expect(await second.exited).toBe(0)
    }
  })
})
