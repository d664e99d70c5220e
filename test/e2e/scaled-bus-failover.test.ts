/**
 * Scaled out on PostgreSQL and NATS: the bus side of failover. NATS itself SIGKILLed and restarted
 * mid-stream (the outbox holds what could not be published meanwhile), and the active outbox relay
 * SIGKILLed mid-stream (the standby continues; JetStream's dedup absorbs what both published).
 */
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { newUser, type ApiClient } from '../support/client.js'
import { natsAvailable, startPrivateNats, type PrivateNats } from '../support/nats.js'
import { postgresAvailable } from '../support/postgres.js'
import { deployment, routedWatch, streamMessageIds, until, type Deployment } from '../support/scaled.js'

const available = (await postgresAvailable()) && (await natsAvailable())

/** Sends `count` messages over the conversations, `parallel` at a time; calls `at` once when `atCount` were accepted. */
async function sendMany(client: ApiClient, conversations: readonly string[], count: number, atCount: number, at: () => Promise<void>): Promise<void> {
  let next = 0
  let fired: Promise<void> | undefined
  const loop = async () => {
    for (let n = next++; n < count; n = next++) {
      const reply = await client.post('/v1/messages', {
        message_id: randomUUID(),
        conversation_id: conversations[n % conversations.length],
        payload: { type: 'text', text: `m${n}` },
      })
      expect(reply.status).toBe(202)
      if (n === atCount) fired = at()
    }
  }
  await Promise.all(Array.from({ length: 16 }, loop))
  await fired
}

describe.skipIf(!available)('scaled out: bus failover', () => {
  let cluster: Deployment | undefined
  let nats: PrivateNats | undefined
  afterEach(async () => {
    await cluster?.close()
    await nats?.close()
    cluster = undefined
    nats = undefined
  })

  it('loses nothing when NATS is killed and restarted mid-stream', { timeout: 180_000 }, async () => {
    nats = await startPrivateNats()
    cluster = await deployment({ nats: nats.url })
    const api = await cluster.start('api')
    await cluster.start('relay')
    await cluster.start('worker')
    const alice = await newUser(api.url, 'alice')
    const bob = await newUser(api.url, 'bob')
    const conversations: string[] = []
    for (let i = 0; i < 10; i++) conversations.push((await alice.post('/v1/conversations', { type: 'group', members: [bob.username] })).body.conversation_id)
    const routed = await routedWatch(cluster, bob)
    onTestFinished(() => routed.close())
    const TOTAL = 3_000
    let heldByOutbox = 0
    await sendMany(alice, conversations, TOTAL, 1_000, async () => {
      await nats!.kill()
      // Sends go on while NATS is down: accepted into the store, waiting in the outbox.
      await new Promise((resolve) => setTimeout(resolve, 2_000))
      const [row] = await cluster!.query<{ n: string }>('SELECT COUNT(*) AS n FROM outbox')
      heldByOutbox = Number(row?.n)
      await nats!.restart()
    })
    expect(heldByOutbox, 'the outbox held events while NATS was down').toBeGreaterThan(0)
    const started = Date.now()
    await until('every message is routed after NATS came back', async () => (await routed.count()) === TOTAL, 90_000)
    const ids = await streamMessageIds(nats.url, cluster.stream)
    expect(ids.length, 'each event once in the stream').toBe(new Set(ids).size)
    console.info(`NATS restart: ${heldByOutbox} events waited in the outbox; all ${TOTAL} routed ${Date.now() - started} ms after the last send`)
  })

  it('continues on the standby relay when the active one is SIGKILLed, and dedup absorbs the doubles', { timeout: 180_000 }, async () => {
    cluster = await deployment()
    const api = await cluster.start('api')
    const relays = [await cluster.start('relay'), await cluster.start('relay')]
    await cluster.start('worker')
    const alice = await newUser(api.url, 'alice')
    const bob = await newUser(api.url, 'bob')
    const conversations: string[] = []
    for (let i = 0; i < 10; i++) conversations.push((await alice.post('/v1/conversations', { type: 'group', members: [bob.username] })).body.conversation_id)
    const routed = await routedWatch(cluster, bob)
    onTestFinished(() => routed.close())
    const TOTAL = 4_000
    await sendMany(alice, conversations, TOTAL, 1_500, async () => void relays[0]!.child.kill('SIGKILL'))
    expect(await relays[0]!.exited).toBe('SIGKILL')
    await until('every message is routed by the remaining relay', async () => (await routed.count()) === TOTAL, 90_000)
    const [left] = await cluster.query<{ n: string }>('SELECT COUNT(*) AS n FROM outbox')
    expect(Number(left?.n)).toBe(0)
    const ids = await streamMessageIds('nats://127.0.0.1:4222', cluster.stream)
    expect(ids.length, 'each event once in the stream').toBe(new Set(ids).size)
    console.info(`relay failover: ${TOTAL} messages; the standby relay finished; ${ids.length} events in the stream, no doubles`)
  })
})
