import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

let server: TestPlatform

beforeAll(async () => {
  server = await startTestPlatform()
})
afterAll(() => server.stop())

const text = (t: string) => ({ type: 'text', text: t })

async function pair() {
  const alice = await newUser(server.url, 'alice')
  const bob = await newUser(server.url, 'bob')
  const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
  return { alice, bob, conversationId: created.body.conversation_id as string }
}

describe('sending', () => {
  it('accepts with 202 and shows the message in history right away', async () => {
    const { alice, bob, conversationId } = await pair()
    const messageId = randomUUID()
    const sent = await alice.post('/v1/messages', { message_id: messageId, conversation_id: conversationId, payload: text('hello') })
    expect(sent.status).toBe(202)
    expect(sent.body).toMatchObject({ status: 'accepted', message_id: messageId, conversation_id: conversationId, seq: 1 })
    const history = await bob.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages).toHaveLength(1)
    expect(history.body.messages[0]).toMatchObject({
      message_id: messageId,
      seq: 1,
      sender_id: alice.userId,
      payload: { type: 'text', text: 'hello' },
      content: 'hello',
    })
  })

  it('is idempotent on message_id: 200 with the same body, 409 for a different body', async () => {
    const { alice, conversationId } = await pair()
    const body = { message_id: randomUUID(), conversation_id: conversationId, payload: text('once'), metadata: { a: 1, b: 2 } }
    const first = await alice.post('/v1/messages', body)
    const retry = await alice.post('/v1/messages', { ...body, metadata: { b: 2, a: 1 } })
    expect(first.status).toBe(202)
    expect(retry.status).toBe(200)
    expect(retry.body).toEqual(first.body)
    const changed = await alice.post('/v1/messages', { ...body, payload: text('twice?') })
    expect(changed.status).toBe(409)
    expect(changed.body).toMatchObject({ code: 'idempotency_conflict', field: 'message_id' })
    const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages).toHaveLength(1)
  })

  it('creates exactly one message when 100 retries race', async () => {
    const { alice, conversationId } = await pair()
    const body = { message_id: randomUUID(), conversation_id: conversationId, payload: text('racing') }
    const replies = await Promise.all(Array.from({ length: 100 }, () => alice.post('/v1/messages', body)))
    expect(replies.filter((r) => r.status === 202)).toHaveLength(1)
    expect(replies.filter((r) => r.status === 200)).toHaveLength(99)
    expect(new Set(replies.map((r) => r.body.seq))).toEqual(new Set([1]))
    expect((await alice.get(`/v1/conversations/${conversationId}/messages`)).body.messages).toHaveLength(1)
  })

  it('gives gap-free increasing seqs to many concurrent senders, the same order for every reader', async () => {
    const owner = await newUser(server.url)
    const senders = await Promise.all(Array.from({ length: 8 }, () => newUser(server.url)))
    const group = await owner.post('/v1/conversations', { type: 'group', members: senders.map((s) => s.username) })
    const id = group.body.conversation_id as string
    const replies = await Promise.all(
      senders.flatMap((s, i) =>
        Array.from({ length: 50 }, (_, j) => s.post('/v1/messages', { conversation_id: id, payload: text(`${i}-${j}`) })),
      ),
    )
    expect(replies.every((r) => r.status === 202)).toBe(true)
    expect(replies.map((r) => r.body.seq as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1))
    const readAll = async (client: typeof owner) => {
      const seqs: number[] = []
      let cursor: string | null = null
      do {
        const page: { body: { messages: { seq: number; content: string }[]; pagination: { next_cursor: string | null } } } =
          await client.get(`/v1/conversations/${id}/messages?limit=200${cursor ? `&cursor=${cursor}` : '&after_seq=0'}`)
        seqs.push(...page.body.messages.map((m) => m.seq))
        cursor = page.body.pagination.next_cursor
      } while (cursor)
      return seqs
    }
    const ownerView = await readAll(owner)
    expect(ownerView).toEqual(Array.from({ length: 400 }, (_, i) => i + 1))
    expect(await readAll(senders[3]!)).toEqual(ownerView)
    // Each sender's own messages keep their send order.
    const history = (await owner.get(`/v1/conversations/${id}/messages?after_seq=0&limit=200`)).body.messages as { content: string }[]
    const mine = history.filter((m) => m.content.startsWith('0-')).map((m) => Number(m.content.split('-')[1]))
    expect(mine).toEqual([...mine].sort((a, b) => a - b))
  })

  it('sends to a user or channel address with `to`, creating the private conversation once', async () => {
    const { alice, bob } = await pair()
    const first = await alice.post('/v1/messages', { to: bob.username, payload: text('via to') })
    expect(first.status).toBe(202)
    const second = await alice.post('/v1/messages', { to: bob.userId, payload: text('again') })
    expect(second.body.conversation_id).toBe(first.body.conversation_id)
    expect(second.body.seq).toBe(first.body.seq + 1)
    const external = await alice.post('/v1/messages', { to: 'whatsapp:+5511999998888', payload: text('olá') })
    expect(external.status).toBe(202)
    const detail = await alice.get(`/v1/messages/${external.body.message_id}`)
    expect(detail.body.receipts).toEqual([{ member_id: 'whatsapp:+5511999998888', status: 'SENT', delivered_at: null, read_at: null }])
  })

  it('accepts the compact body of the first API', async () => {
    const { alice, bob, conversationId } = await pair()
    const sent = await alice.post('/v1/messages', { conversation_id: conversationId, content: 'compact', recipient_id: bob.userId })
    expect(sent.status).toBe(202)
    const alias = await alice.post('/v1/messages', { conversation_id: conversationId, content: 'alias', receiver_id: bob.username })
    expect(alias.status).toBe(202)
    const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages.map((m: { payload: unknown }) => m.payload)).toEqual([text('compact'), text('alias')])
    const stranger = await newUser(server.url)
    const wrongRecipient = await alice.post('/v1/messages', { conversation_id: conversationId, content: 'x', recipient_id: stranger.userId })
    expect(wrongRecipient.status).toBe(400)
    expect(wrongRecipient.body.field).toBe('recipient_id')
  })

  it('refuses to send as someone else', async () => {
    const { alice, bob, conversationId } = await pair()
    for (const field of ['from', 'sender_id']) {
      const reply = await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('spoof'), [field]: bob.userId })
      expect(reply.status).toBe(403)
      expect(reply.body).toMatchObject({ code: 'sender_mismatch', field })
    }
    const honest = await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('me'), sender_id: alice.userId })
    expect(honest.status).toBe(202)
    expect(honest.body.seq).toBe(1)
  })

  it('rejects bad input with problem+json naming the field, and writes nothing', async () => {
    const { alice, conversationId } = await pair()
    const cases: [unknown, number, string][] = [
      [{ conversation_id: conversationId }, 400, 'payload'],
      [{ conversation_id: conversationId, payload: { type: 'text' } }, 400, 'payload.text'],
      [{ conversation_id: conversationId, payload: { type: 'text', text: '' } }, 400, 'payload.text'],
      [{ conversation_id: conversationId, payload: { type: 'text', text: 5 } }, 400, 'payload.text'],
      [{ conversation_id: conversationId, payload: { type: 'video', text: 'x' } }, 400, 'payload.type'],
      [{ conversation_id: conversationId, payload: text('x'), colour: 'red' }, 400, 'colour'],
      [{ conversation_id: conversationId, payload: text('x'), content: 'y' }, 400, 'content'],
      [{ conversation_id: 'not-a-uuid', payload: text('x') }, 400, 'conversation_id'],
      [{ conversation_id: conversationId, message_id: 'abc', payload: text('x') }, 400, 'message_id'],
      [{ payload: text('nowhere') }, 400, 'conversation_id'],
      [{ to: 'nobody-by-this-name', payload: text('x') }, 400, 'to'],
      [{ conversation_id: conversationId, payload: { type: 'file', file_id: 'no-such-file' } }, 400, 'payload.file_id'],
      [{ conversation_id: conversationId, file_id: 'no-such-file', content: 'x' }, 400, 'payload.file_id'],
      [{ conversation_id: conversationId, payload: text('é'.repeat(32 * 1024 + 1)) }, 413, 'payload.text'],
      [{ conversation_id: '00000000-0000-4000-8000-000000000000', payload: text('x') }, 404, 'conversation_id'],
    ]
    for (const [body, status, field] of cases) {
      const reply = await alice.post('/v1/messages', body)
      expect(reply.status, JSON.stringify(body).slice(0, 120)).toBe(status)
      expect(reply.headers.get('content-type')).toContain('application/problem+json')
      expect(reply.body.field, JSON.stringify(body).slice(0, 120)).toBe(field)
      expect(reply.body.type).toMatch(/^https:\/\/chat4all\.dev\/problems\/[a-z_]+$/)
    }
    const malformed = await alice.request('POST', '/v1/messages', '{"conversation_id": ', { 'content-type': 'application/json' })
    expect(malformed.status).toBe(400)
    expect(malformed.body.code).toBe('malformed_json')
    const huge = await alice.request('POST', '/v1/messages', JSON.stringify({ conversation_id: conversationId, payload: text('x'.repeat(2_000_000)) }))
    expect(huge.status).toBe(413)
    const xml = await alice.request('POST', '/v1/messages', '<m/>', { 'content-type': 'application/xml' })
    expect(xml.status).toBe(415)
    // Exactly 64 KiB is fine.
    expect((await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('a'.repeat(65536)) })).status).toBe(202)
    const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages).toHaveLength(1)
  })
})

describe('history', () => {
  it('pages newest-first by default and walks with before_seq, after_seq, offset and cursors', async () => {
    const { alice, bob, conversationId } = await pair()
    for (let i = 1; i <= 120; i++) {
      await (i % 2 ? alice : bob).post('/v1/messages', { conversation_id: conversationId, payload: text(`m${i}`) })
    }
    const newest = await alice.get(`/v1/conversations/${conversationId}/messages`)
    expect(newest.body.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i))
    expect(newest.body.pagination).toMatchObject({ limit: 50, returned: 50, has_more: true })
    const older = await alice.get(`/v1/conversations/${conversationId}/messages?cursor=${newest.body.pagination.next_cursor}`)
    expect(older.body.messages[0].seq).toBe(21)
    const before = await alice.get(`/v1/conversations/${conversationId}/messages?before_seq=11&limit=5`)
    expect(before.body.messages.map((m: { seq: number }) => m.seq)).toEqual([6, 7, 8, 9, 10])
    const after = await alice.get(`/v1/conversations/${conversationId}/messages?after_seq=115`)
    expect(after.body.messages.map((m: { seq: number }) => m.seq)).toEqual([116, 117, 118, 119, 120])
    expect(after.body.pagination.has_more).toBe(false)
    const offset = await alice.get(`/v1/conversations/${conversationId}/messages?offset=10&limit=3`)
    expect(offset.body.messages.map((m: { seq: number }) => m.seq)).toEqual([11, 12, 13])
    const max = await alice.get(`/v1/conversations/${conversationId}/messages?limit=200&after_seq=0`)
    expect(max.body.messages).toHaveLength(120)
    for (const bad of ['limit=0', 'limit=201', 'limit=abc', 'after_seq=-1', 'after_seq=1&before_seq=5', 'cursor=zzz', 'sort=desc']) {
      const reply = await alice.get(`/v1/conversations/${conversationId}/messages?${bad}`)
      expect(reply.status, bad).toBe(400)
      expect(reply.body.field, bad).toMatch(/^querystring\./)
    }
  })
})

describe('receipts', () => {
  it('moves SENT → DELIVERED (history fetch) → READ per recipient, never backwards', async () => {
    const { alice, bob, conversationId } = await pair()
    const sent = await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('status?') })
    const id = sent.body.message_id as string
    const initial = await alice.get(`/v1/messages/${id}`)
    expect(initial.body).toMatchObject({ status: 'SENT', receipts: [{ member_id: bob.userId, status: 'SENT', delivered_at: null, read_at: null }] })

    await bob.get(`/v1/conversations/${conversationId}/messages`)
    const delivered = await alice.get(`/v1/messages/${id}`)
    expect(delivered.body.status).toBe('DELIVERED')
    expect(delivered.body.receipts[0].delivered_at).not.toBeNull()

    const read = await bob.post(`/v1/messages/${id}/read`)
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ message_id: id, member_id: bob.userId, status: 'READ' })
    const readAt = read.body.read_at as string
    const again = await bob.post(`/v1/messages/${id}/read`)
    expect(again.body.read_at).toBe(readAt)
    await bob.get(`/v1/conversations/${conversationId}/messages`)
    const final = await alice.get(`/v1/messages/${id}`)
    expect(final.body.status).toBe('READ')
    expect(final.body.receipts[0]).toMatchObject({ status: 'READ', read_at: readAt, delivered_at: delivered.body.receipts[0].delivered_at })
    const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages[0].status).toBe('READ')
    expect((await alice.post(`/v1/messages/${id}/read`)).status).toBe(400)
    const eve = await newUser(server.url)
    expect((await eve.get(`/v1/messages/${id}`)).status).toBe(404)
    expect((await eve.post(`/v1/messages/${id}/read`)).status).toBe(404)
  })

  it('marks everything up to a seq read in one call; the watermark only moves forward', async () => {
    const owner = await newUser(server.url)
    const [a, b] = await Promise.all([newUser(server.url), newUser(server.url)])
    const group = await owner.post('/v1/conversations', { type: 'group', members: [a.username, b.username] })
    const id = group.body.conversation_id as string
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push((await owner.post('/v1/messages', { conversation_id: id, payload: text(`g${i}`) })).body.message_id)
    }
    const marked = await a.post(`/v1/conversations/${id}/read`, { up_to_seq: 3 })
    expect(marked.body).toMatchObject({ read_up_to_seq: 3, delivered_up_to_seq: 3 })
    const back = await a.post(`/v1/conversations/${id}/read`, { up_to_seq: 1 })
    expect(back.body.read_up_to_seq).toBe(3)
    const beyond = await a.post(`/v1/conversations/${id}/read`, { up_to_seq: 999 })
    expect(beyond.body.read_up_to_seq).toBe(5)
    const third = await owner.get(`/v1/messages/${ids[2]}`)
    const receiptOf = (member: string) => third.body.receipts.find((r: { member_id: string }) => r.member_id === member)
    expect(receiptOf(a.userId).status).toBe('READ')
    expect(receiptOf(b.userId).status).toBe('SENT')
    expect(third.body.status).toBe('SENT')
    await b.post(`/v1/conversations/${id}/read`, { up_to_seq: 5 })
    expect((await owner.get(`/v1/messages/${ids[4]}`)).body.status).toBe('READ')
    expect((await a.post(`/v1/conversations/${id}/read`, { up_to_seq: -1 })).status).toBe(400)
    expect((await a.post(`/v1/conversations/${id}/read`, {})).body.field).toBe('up_to_seq')
  })

  it('members who join later get receipts only for what follows', async () => {
    const owner = await newUser(server.url)
    const early = await newUser(server.url)
    const late = await newUser(server.url)
    const group = await owner.post('/v1/conversations', { type: 'group', members: [early.username] })
    const id = group.body.conversation_id as string
    const before = await owner.post('/v1/messages', { conversation_id: id, payload: text('before') })
    await owner.post(`/v1/conversations/${id}/members`, { members: [late.username] })
    const afterJoin = await owner.post('/v1/messages', { conversation_id: id, payload: text('after') })
    expect((await owner.get(`/v1/messages/${before.body.message_id}`)).body.receipts.map((r: { member_id: string }) => r.member_id)).toEqual([early.userId])
    const members = (await owner.get(`/v1/messages/${afterJoin.body.message_id}`)).body.receipts.map((r: { member_id: string }) => r.member_id)
    expect(members.sort()).toEqual([early.userId, late.userId].sort())
  })
})
