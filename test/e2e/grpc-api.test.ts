/**
 * The gRPC API against a started platform, with a real @grpc/grpc-js client: every unary RPC, the
 * same cursors and idempotency as REST (a retry through the other transport returns the original),
 * and errors mapped to status codes carrying the problem type and field.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeStatusDetails } from '../../src/transports/grpc/errors.js'
import { ApiClient } from '../support/client.js'
import { failure, grpc, grpcClients, grpcUser, unary, type GrpcClients } from '../support/grpc.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const text = (value: string) => ({ type: 'PAYLOAD_TYPE_TEXT', text: value })
const struct = (fields: Record<string, string>) => ({ fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { stringValue: v }])) })

function problemOf(error: grpc.ServiceError) {
  const [bytes] = error.metadata.get('grpc-status-details-bin')
  return {
    code: error.metadata.get('problem-code')[0],
    type: error.metadata.get('problem-type')[0],
    field: error.metadata.get('problem-field')[0],
    details: decodeStatusDetails(bytes as Buffer),
  }
}

describe('gRPC API', () => {
  let platform: TestPlatform
  let clients: GrpcClients
  let rest: (token: string) => ApiClient

  beforeAll(async () => {
    platform = await startTestPlatform()
    clients = grpcClients(platform.platform.grpcAddress!)
    rest = (token) => new ApiClient(platform.url, token)
  })
  afterAll(async () => {
    clients?.close()
    await platform?.stop()
  })

  it('registers, issues tokens that REST accepts too, and refreshes them', async () => {
    const username = `grpc_auth_${Date.now().toString(36)}`
    const { user } = await unary(clients.auth, 'Register', { username, password: 'correct-horse-battery', display_name: 'Ada' })
    expect(user).toMatchObject({ username, display_name: 'Ada' })
    expect(Number(user.created_at.seconds)).toBeGreaterThan(1_600_000_000)
    const tokens = await unary(clients.auth, 'Token', { username, password: 'correct-horse-battery' })
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900 })
    const me = await rest(tokens.access_token).get('/v1/me')
    expect(me.status, 'a token issued over gRPC works over REST').toBe(200)
    expect(me.body.user_id).toBe(user.user_id)
    const refreshed = await unary(clients.auth, 'Refresh', { refresh_token: tokens.refresh_token })
    expect(refreshed.access_token).toEqual(expect.any(String))
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    const reused = await failure(unary(clients.auth, 'Refresh', { refresh_token: tokens.refresh_token }))
    expect(reused.code, 'a spent refresh token').toBe(grpc.status.UNAUTHENTICATED)
    const wrong = await failure(unary(clients.auth, 'Token', { username, password: 'not-the-password' }))
    expect([wrong.code, problemOf(wrong).code]).toEqual([grpc.status.UNAUTHENTICATED, 'invalid_credentials'])
  })

  it('creates, reads, lists and updates conversations, and manages members', async () => {
    const [alice, bob, carol] = await Promise.all([grpcUser(clients), grpcUser(clients), grpcUser(clients)])
    const created = await unary(
      clients.conversations,
      'CreateConversation',
      { type: 'CONVERSATION_TYPE_GROUP', members: [bob.username], title: 'Team', metadata: struct({ topic: 'launch' }) },
      alice.token,
    )
    expect(created.created).toBe(true)
    const group = created.conversation
    expect(group).toMatchObject({ type: 'CONVERSATION_TYPE_GROUP', title: 'Team', created_by: alice.userId })
    expect(group.metadata.fields.topic.stringValue).toBe('launch')
    expect(group.members.map((m: any) => [m.member, m.role]).sort()).toEqual(
      [[alice.userId, 'MEMBER_ROLE_OWNER'], [bob.userId, 'MEMBER_ROLE_MEMBER']].sort(),
    )
    const got = await unary(clients.conversations, 'GetConversation', { conversation_id: group.conversation_id }, bob.token)
    expect(got.conversation.conversation_id).toBe(group.conversation_id)

    const first = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_PRIVATE', members: [bob.userId] }, alice.token)
    const again = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_PRIVATE', members: [bob.userId] }, alice.token)
    expect([first.created, again.created, again.conversation.conversation_id]).toEqual([true, false, first.conversation.conversation_id])

    // The same cursors as REST: a gRPC page token continues a REST listing and the other way round.
    const page1 = await unary(clients.conversations, 'ListConversations', { limit: 1 }, alice.token)
    expect(page1.conversations).toHaveLength(1)
    expect(page1.has_more).toBe(true)
    const page2 = await unary(clients.conversations, 'ListConversations', { limit: 1, cursor: page1.next_cursor }, alice.token)
    const restPage2 = await rest(alice.token).get(`/v1/conversations?limit=1&cursor=${page1.next_cursor}`)
    expect(restPage2.body.conversations[0].conversation_id).toBe(page2.conversations[0].conversation.conversation_id)
    const ids = [page1, page2].map((page) => page.conversations[0].conversation.conversation_id)
    expect(ids.sort()).toEqual([group.conversation_id, first.conversation.conversation_id].sort())

    const added = await unary(
      clients.conversations,
      'AddMembers',
      { conversation_id: group.conversation_id, members: [carol.userId], role: 'MEMBER_ROLE_ADMIN' },
      alice.token,
    )
    expect(added.added.map((m: any) => [m.member, m.role])).toEqual([[carol.userId, 'MEMBER_ROLE_ADMIN']])
    expect(added.conversation.members).toHaveLength(3)

    const updated = await unary(
      clients.conversations,
      'UpdateConversation',
      { conversation_id: group.conversation_id, title: 'Renamed', metadata: struct({ topic: 'beta' }) },
      carol.token,
    )
    expect(updated.conversation.title).toBe('Renamed')
    const viaRest = await rest(bob.token).get(`/v1/conversations/${group.conversation_id}`)
    expect([viaRest.body.title, viaRest.body.metadata]).toEqual(['Renamed', { topic: 'beta' }])
    const notAdmin = await failure(unary(clients.conversations, 'UpdateConversation', { conversation_id: group.conversation_id, title: 'x' }, bob.token))
    expect([notAdmin.code, problemOf(notAdmin).code]).toEqual([grpc.status.PERMISSION_DENIED, 'forbidden'])

    expect(await unary(clients.conversations, 'RemoveMember', { conversation_id: group.conversation_id, member: carol.userId }, alice.token)).toEqual({})
    const after = await unary(clients.conversations, 'GetConversation', { conversation_id: group.conversation_id }, alice.token)
    expect(after.conversation.members.map((m: any) => m.member).sort()).toEqual([alice.userId, bob.userId].sort())
    const gone = await failure(unary(clients.conversations, 'GetConversation', { conversation_id: group.conversation_id }, carol.token))
    expect(gone.code, 'a removed member no longer sees the conversation').toBe(grpc.status.NOT_FOUND)
  })

  it('sends, pages history with the REST cursors, reads receipts and marks messages read', async () => {
    const [alice, bob] = await Promise.all([grpcUser(clients), grpcUser(clients)])
    const { conversation } = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_GROUP', members: [bob.userId] }, alice.token)
    const sent = []
    for (const word of ['one', 'two', 'three']) {
      sent.push(await unary(clients.messages, 'SendMessage', { conversation_id: conversation.conversation_id, payload: text(word) }, alice.token))
    }
    expect(sent.map((s) => [s.seq, s.duplicate])).toEqual([[1, false], [2, false], [3, false]])

    const page = await unary(clients.messages, 'ListMessages', { conversation_id: conversation.conversation_id, limit: 2, after_seq: 0 }, bob.token)
    expect(page.messages.map((m: any) => [m.seq, m.payload.text])).toEqual([[1, 'one'], [2, 'two']])
    expect(page.has_more).toBe(true)
    const next = await unary(clients.messages, 'ListMessages', { conversation_id: conversation.conversation_id, limit: 2, cursor: page.next_cursor }, bob.token)
    expect(next.messages.map((m: any) => m.seq)).toEqual([3])
    expect([next.has_more, next.next_cursor]).toEqual([false, ''])
    const restNext = await rest(bob.token).get(`/v1/conversations/${conversation.conversation_id}/messages?limit=2&cursor=${page.next_cursor}`)
    expect(restNext.body.messages.map((m: any) => m.seq), 'the gRPC cursor pages REST history too').toEqual([3])

    const detail = await unary(clients.messages, 'GetMessage', { message_id: sent[0].message_id }, alice.token)
    expect(detail.message).toMatchObject({ seq: 1, sender_id: alice.userId, payload: { type: 'PAYLOAD_TYPE_TEXT', text: 'one' } })
    expect(detail.receipts.map((r: any) => [r.member, r.status])).toEqual([[bob.userId, 'DELIVERY_STATUS_DELIVERED']])

    const read = await unary(clients.messages, 'MarkRead', { message_id: sent[0].message_id }, bob.token)
    expect(read).toMatchObject({ message_id: sent[0].message_id, receipt: { member: bob.userId, status: 'DELIVERY_STATUS_READ' } })
    const upTo = await unary(clients.messages, 'MarkReadUpTo', { conversation_id: conversation.conversation_id, up_to_seq: 3 }, bob.token)
    expect(upTo).toMatchObject({ conversation_id: conversation.conversation_id, read_up_to_seq: 3, delivered_up_to_seq: 3 })
    const restDetail = await rest(alice.token).get(`/v1/messages/${sent[2].message_id}`)
    expect(restDetail.body.receipts[0].status).toBe('READ')

    const direct = await unary(clients.messages, 'SendMessage', { to: bob.username, payload: text('hi') }, alice.token)
    const privateChat = await rest(bob.token).get(`/v1/conversations/${direct.conversation_id}`)
    expect(privateChat.body.type, 'sending `to` a user uses your private conversation').toBe('private')
  })

  it('returns the original message when a message_id is retried over the other transport', async () => {
    const [alice, bob] = await Promise.all([grpcUser(clients), grpcUser(clients)])
    const { conversation } = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_GROUP', members: [bob.userId] }, alice.token)
    const conversationId = conversation.conversation_id

    const restFirst = randomUUID()
    const accepted = await rest(alice.token).post('/v1/messages', { message_id: restFirst, conversation_id: conversationId, payload: { type: 'text', text: 'hello' } })
    expect(accepted.status).toBe(202)
    const retried = await unary(clients.messages, 'SendMessage', { message_id: restFirst, conversation_id: conversationId, payload: text('hello') }, alice.token)
    expect(retried).toMatchObject({ message_id: restFirst, seq: accepted.body.seq, duplicate: true })

    const grpcFirst = randomUUID()
    const sent = await unary(clients.messages, 'SendMessage', { message_id: grpcFirst, conversation_id: conversationId, payload: text('again') }, alice.token)
    expect(sent.duplicate).toBe(false)
    const restRetry = await rest(alice.token).post('/v1/messages', { message_id: grpcFirst, conversation_id: conversationId, payload: { type: 'text', text: 'again' } })
    expect([restRetry.status, restRetry.body.seq, restRetry.body.message_id]).toEqual([200, sent.seq, grpcFirst])

    const history = await rest(bob.token).get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages.map((m: any) => m.seq), 'no duplicates were stored').toEqual([1, 2])

    const conflict = await failure(unary(clients.messages, 'SendMessage', { message_id: restFirst, conversation_id: conversationId, payload: text('other') }, alice.token))
    expect([conflict.code, problemOf(conflict).code, problemOf(conflict).field]).toEqual([grpc.status.ALREADY_EXISTS, 'idempotency_conflict', 'message_id'])
  })

  it('maps errors to gRPC status codes with the problem type and field in the details', async () => {
    const [alice, bob] = await Promise.all([grpcUser(clients), grpcUser(clients)])
    const noToken = await failure(unary(clients.conversations, 'ListConversations', {}))
    expect([noToken.code, problemOf(noToken).code]).toEqual([grpc.status.UNAUTHENTICATED, 'unauthorized'])
    const badToken = await failure(unary(clients.conversations, 'ListConversations', {}, 'not-a-token'))
    expect([badToken.code, problemOf(badToken).code]).toEqual([grpc.status.UNAUTHENTICATED, 'invalid_token'])

    const missing = await failure(unary(clients.conversations, 'GetConversation', { conversation_id: randomUUID() }, alice.token))
    const notFound = problemOf(missing)
    expect([missing.code, notFound.code, notFound.field, notFound.type]).toEqual([
      grpc.status.NOT_FOUND,
      'conversation_not_found',
      'conversation_id',
      'https://chat4all.dev/problems/conversation_not_found',
    ])
    expect(notFound.details.code).toBe(grpc.status.NOT_FOUND)
    expect(notFound.details.details[0]).toMatchObject({
      type: 'type.googleapis.com/google.rpc.ErrorInfo',
      value: { reason: 'conversation_not_found', domain: 'chat4all.dev', metadata: { field: 'conversation_id' } },
    })

    const malformed = await failure(unary(clients.conversations, 'GetConversation', { conversation_id: 'not-a-uuid' }, alice.token))
    expect([malformed.code, problemOf(malformed).field]).toEqual([grpc.status.INVALID_ARGUMENT, 'conversation_id'])
    const badRequest = problemOf(malformed).details.details.find((d) => d.type.endsWith('google.rpc.BadRequest'))
    expect(badRequest?.value).toMatchObject({ field_violations: [{ field: 'conversation_id' }] })

    const { conversation } = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_GROUP', members: [bob.userId] }, alice.token)
    const empty = await failure(unary(clients.messages, 'SendMessage', { conversation_id: conversation.conversation_id }, alice.token))
    expect([empty.code, problemOf(empty).code, problemOf(empty).field]).toEqual([grpc.status.INVALID_ARGUMENT, 'validation_failed', 'payload'])
    const tooLong = await failure(
      unary(clients.messages, 'SendMessage', { conversation_id: conversation.conversation_id, payload: text('x'.repeat(70_000)) }, alice.token),
    )
    expect([tooLong.code, problemOf(tooLong).code, problemOf(tooLong).field]).toEqual([grpc.status.INVALID_ARGUMENT, 'payload_too_large', 'payload.text'])
    const taken = await failure(unary(clients.auth, 'Register', { username: alice.username, password: 'correct-horse-battery' }))
    expect([taken.code, problemOf(taken).code, problemOf(taken).field]).toEqual([grpc.status.ALREADY_EXISTS, 'username_taken', 'username'])
    const denied = await failure(unary(clients.conversations, 'AddMembers', { conversation_id: conversation.conversation_id, members: [alice.userId] }, bob.token))
    expect([denied.code, problemOf(denied).code]).toEqual([grpc.status.PERMISSION_DENIED, 'forbidden'])
    const owner = await failure(
      unary(clients.conversations, 'AddMembers', { conversation_id: conversation.conversation_id, members: [bob.userId], role: 'MEMBER_ROLE_OWNER' }, alice.token),
    )
    expect([owner.code, problemOf(owner).field], 'the REST schema refuses a second owner').toEqual([grpc.status.INVALID_ARGUMENT, 'role'])
  })
})

describe('gRPC rate limits', () => {
  let platform: TestPlatform
  let clients: GrpcClients

  beforeAll(async () => {
    platform = await startTestPlatform({ CHAT4ALL_RATE_LIMIT_SEND: '3/60' })
    clients = grpcClients(platform.platform.grpcAddress!)
  })
  afterAll(async () => {
    clients?.close()
    await platform?.stop()
  })

  it('shares the per-user send budget with REST and answers RESOURCE_EXHAUSTED with RetryInfo', async () => {
    const [alice, bob] = await Promise.all([grpcUser(clients), grpcUser(clients)])
    const { conversation } = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_GROUP', members: [bob.userId] }, alice.token)
    const send = () => unary(clients.messages, 'SendMessage', { conversation_id: conversation.conversation_id, payload: text('hi') }, alice.token)
    await send()
    await send()
    const viaRest = await new ApiClient(platform.url, alice.token).post('/v1/messages', { conversation_id: conversation.conversation_id, content: 'hi' })
    expect(viaRest.status, 'the third send, over REST, is within the budget').toBe(202)
    const limited = await failure(send())
    expect([limited.code, problemOf(limited).code]).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'rate_limited'])
    expect(Number(limited.metadata.get('retry-after')[0])).toBeGreaterThan(0)
    const retry = problemOf(limited).details.details.find((d) => d.type.endsWith('google.rpc.RetryInfo'))
    expect(Number((retry?.value as any).retry_delay.seconds)).toBeGreaterThan(0)
  })
})
