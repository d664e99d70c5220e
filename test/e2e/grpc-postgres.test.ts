/**
 * The gRPC API on PostgreSQL: conversation updates, idempotent sends across transports and a
 * resumed Subscribe, on the engine of the scaled-out shape.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../support/client.js'
import { grpcClients, grpcUser, Subscription, unary, type GrpcClients } from '../support/grpc.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js'
import { eventually } from '../support/ws.js'

const available = await postgresAvailable()
const schema = uniqueSchema('c4a_grpc')

describe.skipIf(!available)('gRPC API on PostgreSQL', () => {
  let platform: TestPlatform
  let clients: GrpcClients

  beforeAll(async () => {
    platform = await startTestPlatform({ CHAT4ALL_DB: `${postgresUrl}?schema=${schema}` })
    clients = grpcClients(platform.platform.grpcAddress!)
  })
  afterAll(async () => {
    clients?.close()
    await platform?.stop()
    await dropSchema(schema)
  })

  it('updates, sends idempotently across transports and resumes a subscription', async () => {
    const [alice, bob] = await Promise.all([grpcUser(clients), grpcUser(clients)])
    const { conversation } = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_GROUP', members: [bob.userId], title: 'pg' }, alice.token)
    const id = conversation.conversation_id as string
    const first = Subscription.open(clients, bob.token)
    await first.waitFor((r) => r.type === 'ready', 'subscribed')

    const updated = await unary(clients.conversations, 'UpdateConversation', { conversation_id: id, title: 'renamed' }, alice.token)
    expect(updated.conversation.title).toBe('renamed')
    await first.waitFor((r) => r.type === 'conversation.updated' && r.data['title'] === 'renamed', 'the update, live')

    const messageId = randomUUID()
    const sent = await unary(clients.messages, 'SendMessage', { message_id: messageId, conversation_id: id, payload: { type: 'PAYLOAD_TYPE_TEXT', text: 'one' } }, alice.token)
    const retry = await new ApiClient(platform.url, alice.token).post('/v1/messages', { message_id: messageId, conversation_id: id, payload: { type: 'text', text: 'one' } })
    expect([retry.status, retry.body.seq]).toEqual([200, sent.seq])
    await eventually(() => first.seqs(id).length === 1, 'the first message, live')
    first.call.cancel()

    for (const word of ['two', 'three']) {
      await unary(clients.messages, 'SendMessage', { conversation_id: id, payload: { type: 'PAYLOAD_TYPE_TEXT', text: word } }, alice.token)
    }
    const resumed = Subscription.open(clients, bob.token, { cursor: first.cursor })
    await resumed.waitFor((r) => r.type === 'ready', 'resumed')
    expect(resumed.seqs(id), 'only what was missed').toEqual([2, 3])
    resumed.call.cancel()
  })
})
