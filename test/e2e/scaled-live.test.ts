/**
 * Scaled out on PostgreSQL and NATS, live delivery across API processes: a user connected to one
 * process receives at once what another process accepted, typing crosses too, and when a process
 * is SIGKILLed its users are shown offline by the others within the presence bound.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { natsAvailable } from '../support/nats.js'
import { postgresAvailable } from '../support/postgres.js'
import { deployment, type Deployment } from '../support/scaled.js'
import { StreamClient } from '../support/ws.js'

const available = (await postgresAvailable()) && (await natsAvailable())
// Short presence timings, so the crash case is quick: offline within expiry + heartbeat / 2.
const HEARTBEAT_MS = 500
const EXPIRY_MS = 1_500

describe.skipIf(!available)('scaled out: live delivery across API processes', () => {
  let cluster: Deployment | undefined
  afterAll(async () => {
    await cluster?.close()
  })

  it('delivers messages, typing and presence between users on different processes', { timeout: 120_000 }, async () => {
    cluster = await deployment({ env: { CHAT4ALL_PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS), CHAT4ALL_PRESENCE_EXPIRY_MS: String(EXPIRY_MS) } })
    const [a, b] = [await cluster.start('api'), await cluster.start('api')]
    // Two workers: a conversation's events go to either, so neither may address from a stale member list.
    await Promise.all([cluster.start('relay,worker'), cluster.start('worker')])
    const alice = await newUser(a.url, 'alice')
    const bob = await newUser(a.url, 'bob')
    const conversation = (await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })).body
      .conversation_id as string

    const bobOnB = await StreamClient.connect(b.url, { token: bob.token! })
    const aliceOnA = await StreamClient.connect(a.url, { token: alice.token! })

    // Presence: bob (on B) sees alice (on A) come online.
    await bobOnB.waitFor((f) => f.type === 'presence' && f.user_id === alice.userId && f.status === 'online', 'alice online, seen from B')

    // Messages accepted by A reach bob's connection on B, in order.
    const latencies: number[] = []
    for (let i = 1; i <= 20; i++) {
      const sentAt = performance.now()
      const reply = await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversation, payload: { type: 'text', text: `m${i}` } })
      expect(reply.status).toBe(202)
      await bobOnB.waitFor((f) => f.type === 'message.created' && f.position?.seq === i, `message ${i} on B`)
      latencies.push(performance.now() - sentAt)
    }
    const seqs = bobOnB.frames.filter((f) => f.type === 'message.created').map((f) => f.position!.seq)
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))

    // Messages accepted by B reach alice on A.
    const fromBob = await new ApiClient(b.url, bob.token).post('/v1/messages', { conversation_id: conversation, payload: { type: 'text', text: 'hi from B' } })
    expect(fromBob.status).toBe(202)
    await aliceOnA.waitFor((f) => f.type === 'message.created' && f.position?.seq === 21, 'bob’s message on A')

    // A member added later receives, live on B, every message sent after joining — whichever
    // worker handles them, although both addressed this conversation before she joined.
    const group = (await alice.post('/v1/conversations', { type: 'group', title: 'later', members: [bob.username] })).body
      .conversation_id as string
    for (let i = 0; i < 10; i++) await alice.post('/v1/messages', { conversation_id: group, payload: { type: 'text', text: `before ${i}` } })
    const carol = await newUser(a.url, 'carol')
    const carolOnB = await StreamClient.connect(b.url, { token: carol.token! })
    expect((await alice.post(`/v1/conversations/${group}/members`, { members: [carol.username] })).status).toBeLessThan(300)
    await carolOnB.waitFor((f) => f.type === 'member.joined', 'carol hears she joined')
    for (let i = 0; i < 10; i++) await alice.post('/v1/messages', { conversation_id: group, payload: { type: 'text', text: `after ${i}` } })
    await carolOnB.waitFor((f) => f.type === 'message.created' && f.position?.seq === 20, 'the last message reaches carol live')
    const carolSeqs = carolOnB.frames.filter((f) => f.type === 'message.created').map((f) => f.position!.seq)
    expect(carolSeqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 11))
    carolOnB.socket.close()

    // Typing on B shows on A.
    bobOnB.send({ type: 'typing', conversation_id: conversation })
    await aliceOnA.waitFor((f) => f.type === 'typing' && f.user_id === bob.userId, 'bob typing, seen from A')

    // A dies without a word: B shows alice offline within the bound.
    const framesBefore = bobOnB.frames.length
    a.child.kill('SIGKILL')
    const killedAt = Date.now()
    await bobOnB.waitFor(
      (f) => f.type === 'presence' && f.user_id === alice.userId && f.status === 'offline',
      'alice offline after her process died',
      { from: framesBefore, timeoutMs: EXPIRY_MS + HEARTBEAT_MS + 5_000 },
    )
    const offlineAfterMs = Date.now() - killedAt
    latencies.sort((x, y) => x - y)
    console.info(
      `cross-process live: send on A → frame on B p50 ${latencies[10]!.toFixed(1)} ms, max ${latencies[19]!.toFixed(1)} ms; ` +
        `alice offline on B ${offlineAfterMs} ms after A was killed (heartbeat ${HEARTBEAT_MS} ms, expiry ${EXPIRY_MS} ms)`,
    )
    bobOnB.socket.close()
  })
})
