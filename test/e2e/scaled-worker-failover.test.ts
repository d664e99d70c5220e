/**
 * Scaled out on PostgreSQL and NATS: an API process, a relay and three worker processes; 10,000
 * messages over 100 conversations; one worker SIGKILLed mid-stream. Every message is routed exactly
 * once in effect — live frames, webhook deliveries and status events, none missing and none
 * doubled — and each conversation's events arrive in seq order although three processes share
 * the work. Prints how long routing took to catch up after the kill.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { newUser, type ApiClient } from '../support/client.js'
import { natsAvailable } from '../support/nats.js'
import { postgresAvailable } from '../support/postgres.js'
import { startReceiver, type Receiver } from '../support/receiver.js'
import { deployment, until, type Deployment } from '../support/scaled.js'
import { StreamClient } from '../support/ws.js'

const available = (await postgresAvailable()) && (await natsAvailable())
const MESSAGES = 10_000
const CONVERSATIONS = 100
const SENDERS = 32

describe.skipIf(!available)('scaled out: a worker SIGKILLed mid-stream', () => {
  let cluster: Deployment | undefined
  let hooks: Receiver | undefined
  afterAll(async () => {
    await hooks?.close()
    await cluster?.close()
  })

  it('routes every message exactly once in effect, in order per conversation', { timeout: 300_000 }, async () => {
    // One endpoint takes all 10,000 deliveries: let a claim take many at once (each conversation
    // still gets one at a time), and keep the dead worker's claims short.
    cluster = await deployment({ env: { CHAT4ALL_WEBHOOK_PER_WEBHOOK_CONCURRENCY: '64', CHAT4ALL_WEBHOOK_TIMEOUT_MS: '2000' } })
    hooks = await startReceiver(() => 200)
    const api = await cluster.start('api')
    await cluster.start('relay')
    const workers = await Promise.all([cluster.start('worker'), cluster.start('worker'), cluster.start('worker')])

    const owner = await newUser(api.url, 'owner')
    const member = await newUser(api.url, 'member')
    const webhook = await owner.post('/v1/webhooks', { url: hooks.url, events: ['message.created', 'message.status'] })
    expect(webhook.status).toBe(201)
    const conversations: string[] = []
    for (let i = 0; i < CONVERSATIONS; i++) {
      const created = await owner.post('/v1/conversations', { type: 'group', title: `g${i}`, members: [member.username] })
      conversations.push(created.body.conversation_id as string)
    }
    const live = await StreamClient.connect(api.url, { token: member.token! })

    // Senders in parallel; each conversation's messages still get one gap-free order from the store.
    let next = 0
    let killedAt = 0
    const acceptedBeforeKill: string[] = []
    const send = async (client: ApiClient) => {
      for (let n = next++; n < MESSAGES; n = next++) {
        const message_id = randomUUID()
        const reply = await client.post('/v1/messages', {
          message_id,
          conversation_id: conversations[n % CONVERSATIONS],
          payload: { type: 'text', text: `m${n}` },
        })
        expect(reply.status).toBe(202)
        if (!killedAt) acceptedBeforeKill.push(message_id)
        if (n === Math.floor(MESSAGES / 3)) {
          workers[0]!.child.kill('SIGKILL')
          killedAt = Date.now()
        }
      }
    }
    await Promise.all(Array.from({ length: SENDERS }, () => send(owner)))
    expect(await workers[0]!.exited).toBe('SIGKILL')

    // Take-over: every message accepted before the kill reached the live stream (some were in the
    // dead worker's hands).
    const pushed = () => new Set(live.messages().map((m) => m.message_id as string))
    await until('the messages accepted before the kill are pushed', async () => {
      const seen = pushed()
      return acceptedBeforeKill.every((id) => seen.has(id))
    })
    // Under full load this includes the backlog the senders built up; `npm run bench:scaled` measures
    // the take-over itself at a rate the workers keep up with.
    const caughtUpMs = Date.now() - killedAt

    // Receipts derive from watermarks (no worker writes them): one per message for the one
    // recipient, SENT until they acknowledge.
    const sample = await owner.get(`/v1/messages/${acceptedBeforeKill[0]}`)
    expect(sample.body.receipts).toMatchObject([{ member_id: member.userId, status: 'SENT' }])

    // Live frames: every message once, each conversation in seq order.
    // Generous: on a 2-core machine the whole backlog the senders built up drains through here.
    await until(
      'every message reached the live stream',
      async () => live.frames.filter((f) => f.type === 'message.created').length >= MESSAGES,
      180_000,
    )
    const liveSeqs = new Map<string, number[]>()
    for (const frame of live.frames.filter((f) => f.type === 'message.created')) {
      const conversation = frame.position!.conversation_id
      liveSeqs.set(conversation, [...(liveSeqs.get(conversation) ?? []), frame.position!.seq])
    }
    for (const [conversation, seqs] of liveSeqs) {
      expect(seqs, conversation).toEqual(Array.from({ length: MESSAGES / CONVERSATIONS }, (_, i) => i + 1))
    }

    // Status events: the member reads each conversation; one message.status per conversation.
    for (const conversation of conversations) {
      const read = await member.post(`/v1/conversations/${conversation}/read`, { up_to_seq: MESSAGES / CONVERSATIONS })
      expect(read.status).toBeLessThan(300)
    }

    // Webhooks: every event delivered, per conversation in seq order.
    const created = () => hooks!.delivered().filter((r) => r.json.type === 'message.created')
    const statuses = () => hooks!.delivered().filter((r) => r.json.type === 'message.status')
    await until('every webhook delivery arrived', async () => new Set(created().map((r) => r.json.id)).size === MESSAGES)
    await until('every status event arrived', async () => new Set(statuses().map((r) => r.json.id)).size >= CONVERSATIONS)
    const firstArrivals = new Map<string, number[]>()
    const seen = new Set<string>()
    for (const request of created()) {
      if (seen.has(request.json.id)) continue
      seen.add(request.json.id)
      const data = (request.json.data as { message: { conversation_id: string; seq: number } }).message
      firstArrivals.set(data.conversation_id, [...(firstArrivals.get(data.conversation_id) ?? []), data.seq])
    }
    for (const [conversation, seqs] of firstArrivals) {
      expect(seqs, `webhook order in ${conversation}`).toEqual(Array.from({ length: MESSAGES / CONVERSATIONS }, (_, i) => i + 1))
    }
    const redelivered = created().length - MESSAGES
    // A delivery is posted at least once: only one the dead worker had on the wire may come twice.
    expect(redelivered).toBeLessThanOrEqual(64)
    const statusIds = statuses().map((r) => r.json.id)
    expect(new Set(statusIds).size).toBe(CONVERSATIONS)

    // Nothing given up on the way.
    const [dead] = await cluster.query<{ n: string }>('SELECT COUNT(*) AS n FROM dead_letters')
    expect(Number(dead?.n)).toBe(0)
    console.info(
      `worker failover: ${MESSAGES} messages, 3 workers, one SIGKILLed; everything accepted before the kill routed ${caughtUpMs} ms after it; ` +
        `${redelivered} webhook posts repeated by the take-over`,
    )
    live.socket.close()
  })
})
