/**
 * Scaled out on PostgreSQL and NATS: two API processes; clients send through the first, which is
 * SIGKILLed mid-stream; every send left unanswered is retried with the same message_id through the
 * second. Nothing is lost, nothing doubled, and each conversation's seq stays gap-free.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { natsAvailable } from '../support/nats.js'
import { postgresAvailable } from '../support/postgres.js'
import { deployment, routedWatch, until, type Deployment } from '../support/scaled.js'

const available = (await postgresAvailable()) && (await natsAvailable())
const PER_SENDER = 150
const SENDERS = 16
const CONVERSATIONS = 8

describe.skipIf(!available)('scaled out: an API process SIGKILLed while clients send', () => {
  let cluster: Deployment | undefined
  afterAll(async () => {
    await cluster?.close()
  })

  it('loses nothing and doubles nothing when unanswered sends are retried elsewhere', { timeout: 180_000 }, async () => {
    cluster = await deployment()
    const [first, second] = [await cluster.start('api'), await cluster.start('api')]
    await cluster.start('relay')
    await cluster.start('worker')
    const alice = await newUser(first.url, 'alice')
    const bob = await newUser(first.url, 'bob')
    const conversations: string[] = []
    for (let i = 0; i < CONVERSATIONS; i++) {
      const created = await alice.post('/v1/conversations', { type: 'group', members: [bob.username] })
      conversations.push(created.body.conversation_id as string)
    }
    const onSecond = new ApiClient(second.url, alice.token)
    const routed = await routedWatch(cluster, new ApiClient(second.url, bob.token))
    onTestFinished(() => routed.close())

    let sent = 0
    let killed = false
    let retried = 0
    const attempted = new Map<string, { conversation: string; seq?: number }>()
    const sender = async (s: number) => {
      for (let i = 0; i < PER_SENDER; i++) {
        const body = { message_id: randomUUID(), conversation_id: conversations[(s + i) % CONVERSATIONS], payload: { type: 'text', text: `${s}:${i}` } }
        attempted.set(body.message_id, { conversation: body.conversation_id! })
        let reply
        try {
          reply = await (killed ? onSecond : alice).post('/v1/messages', body)
        } catch {
          // No answer: the process died with the request in flight. Retry the same id elsewhere.
          retried++
          reply = await onSecond.post('/v1/messages', body)
        }
        expect([200, 202]).toContain(reply.status)
        attempted.get(body.message_id)!.seq = reply.body.seq as number
        if (++sent === Math.floor((PER_SENDER * SENDERS) / 3)) {
          first.child.kill('SIGKILL')
          killed = true
        }
      }
    }
    await Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s)))
    expect(await first.exited).toBe('SIGKILL')

    // Every attempted message exists once, with the seq its (last) answer gave.
    const rows = await cluster.query<{ id: string; conversation_id: string; seq: string }>('SELECT id, conversation_id, seq FROM messages')
    expect(rows.length).toBe(attempted.size)
    for (const row of rows) expect(attempted.get(row.id)?.seq, row.id).toBe(Number(row.seq))
    for (const conversation of conversations) {
      const seqs = rows.filter((r) => r.conversation_id === conversation).map((r) => Number(r.seq)).sort((a, b) => a - b)
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    }
    // And each is routed: the worker queued a webhook delivery of it for bob.
    await until('every message is routed', async () => (await routed.count()) === attempted.size)
    console.info(`API failover: ${attempted.size} messages, ${retried} retried through the second process after the kill`)
  })
})
