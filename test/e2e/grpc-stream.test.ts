/**
 * EventService.Subscribe against a started platform: the WebSocket's events with the same positions,
 * resume after disconnects with no gap and no duplicate while messages are sent over REST, and
 * cancelled or timed-out calls leaving the stream hub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser, type ApiClient } from '../support/client.js'
import { grpc, grpcClients, Subscription, unary, type GrpcClients } from '../support/grpc.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { StreamClient, eventually } from '../support/ws.js'

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

async function sendMany(client: ApiClient, conversationId: string, count: number, parallel = 4) {
  let next = 0
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++
        const reply = await client.post('/v1/messages', { conversation_id: conversationId, payload: { type: 'text', text: `m${i}` } })
        if (reply.status !== 202) throw new Error(`send ${i} failed: ${reply.status} ${JSON.stringify(reply.body)}`)
      }
    }),
  )
}

describe('gRPC Subscribe', () => {
  let platform: TestPlatform
  let clients: GrpcClients
  const hub = () => platform.platform.stream!

  beforeAll(async () => {
    platform = await startTestPlatform()
    clients = grpcClients(platform.platform.grpcAddress!)
  })
  afterAll(async () => {
    clients?.close()
    await platform?.stop()
  })

  it('resumes after disconnects with no gap and no duplicate while messages are sent over REST', async () => {
    const reader = await newUser(platform.url, 'reader')
    const senders = await Promise.all([1, 2].map(() => newUser(platform.url, 'sender')))
    const group = await senders[0]!.post('/v1/conversations', { type: 'group', members: [reader.username, senders[1]!.username] })
    const groupId = group.body.conversation_id as string
    const perSender = 250
    let done = false
    const sending = Promise.all(senders.map((sender) => sendMany(sender, groupId, perSender))).then(() => (done = true))

    const received: number[] = []
    let cursor: string | undefined
    let resumedWhileSending = 0
    for (let round = 0; ; round++) {
      if (round > 0 && !done) resumedWhileSending++
      const subscription = Subscription.open(clients, reader.token, cursor === undefined ? {} : { cursor })
      await subscription.waitFor((r) => r.type === 'ready', 'the replay is over')
      expect(subscription.received[0]?.type, 'the first frame').toBe('welcome')
      const last = round >= 3
      const caughtUp = () => done && (subscription.seqs(groupId).at(-1) ?? received.at(-1)) === 2 * perSender
      if (!last) await eventually(() => subscription.seqs(groupId).length >= 20 || caughtUp(), 'some messages on this call', 30_000)
      else {
        await sending
        await eventually(caughtUp, 'every message arrived', 30_000)
      }
      subscription.call.cancel()
      const status = await subscription.ended
      expect(status.code).toBe(grpc.status.CANCELLED)
      received.push(...subscription.seqs(groupId))
      cursor = subscription.cursor ?? cursor
      if (last) break
    }
    expect(resumedWhileSending, 'a resume raced with the senders').toBeGreaterThanOrEqual(1)
    expect(received, 'every message once, in order').toEqual(range(1, 2 * perSender))
  })

  it('carries the same events and positions as the WebSocket', async () => {
    const [alice, bob, carol] = await Promise.all([newUser(platform.url), newUser(platform.url), newUser(platform.url)])
    const ws = await StreamClient.connect(platform.url, { token: bob.token! })
    const subscription = Subscription.open(clients, bob.token)
    await subscription.waitFor((r) => r.type === 'ready', 'the gRPC stream is ready')

    const group = await alice.post('/v1/conversations', { type: 'group', members: [bob.username], title: 'Live' })
    const id = group.body.conversation_id as string
    await alice.post('/v1/messages', { conversation_id: id, payload: { type: 'text', text: 'first' } })
    await alice.post(`/v1/conversations/${id}/members`, { members: [carol.username] })
    await alice.post('/v1/messages', { conversation_id: id, payload: { type: 'text', text: 'second' } })
    await unary(clients.conversations, 'UpdateConversation', { conversation_id: id, title: 'Renamed' }, alice.token)

    const kinds = ['conversation.created', 'message.created', 'member.joined', 'conversation.updated']
    const wanted = (type: string) => kinds.includes(type)
    await eventually(() => subscription.received.filter((r) => wanted(r.type)).length >= 5, 'five events over gRPC')
    await eventually(() => ws.frames.filter((f) => wanted(f.type)).length >= 5, 'five events over the WebSocket')
    const overGrpc = subscription.received.filter((r) => wanted(r.type)).map((r) => ({ type: r.type, position: r.position ?? null, ...r.data }))
    const overWs = ws.frames.filter((f) => wanted(f.type))
    expect(overGrpc).toEqual(overWs)
    expect(overGrpc.at(-1), 'an update reaches the members as conversation.updated').toMatchObject({ type: 'conversation.updated', title: 'Renamed' })
    const typed = subscription.received.filter((r) => r.type === 'message.created').map((r) => [r.message.seq, r.message.payload.text])
    expect(typed).toEqual([[1, 'first'], [2, 'second']])
    expect(subscription.cursor, 'the cursor names the position reached').toBe(`${id}:2`)
    subscription.call.cancel()
    await ws.close()
  })

  it('leaves the hub when the client cancels or its deadline passes', async () => {
    const user = await newUser(platform.url)
    const before = hub().connections
    const cancelled = Subscription.open(clients, user.token)
    await cancelled.waitFor((r) => r.type === 'ready', 'subscribed')
    expect(hub().connections).toBe(before + 1)
    cancelled.call.cancel()
    await eventually(() => hub().connections === before, 'the cancelled subscription left the hub')

    const timed = Subscription.open(clients, user.token, {}, { deadline: Date.now() + 3_000 })
    expect((await timed.ended).code).toBe(grpc.status.DEADLINE_EXCEEDED)
    expect(timed.received[0]?.type, 'it was subscribed until the deadline').toBe('welcome')
    await eventually(() => hub().connections === before, 'the timed-out subscription left the hub')
  })

  it('refuses a call without a valid token or with a malformed cursor', async () => {
    const user = await newUser(platform.url)
    const anonymous = await Subscription.open(clients, undefined).ended
    expect([anonymous.code, anonymous.metadata.get('problem-code')[0]]).toEqual([grpc.status.UNAUTHENTICATED, 'unauthorized'])
    const malformed = await Subscription.open(clients, user.token, { cursor: 'nonsense' }).ended
    expect([malformed.code, malformed.metadata.get('problem-field')[0]]).toEqual([grpc.status.INVALID_ARGUMENT, 'cursor'])
  })
})
