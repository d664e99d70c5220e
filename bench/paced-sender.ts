/**
 * @module Open-loop sends over POST /v1/messages that remember every message: its id (chosen here,
 * so a live frame can be matched even if it overtakes the 202), conversation, when it was due, when
 * it left, when the answer came and the `seq` it got. Requests leave on a fixed schedule whether or
 * not earlier ones answered, so a stall shows as delay instead of slowing the sender down
 * (bench/open-loop.ts sums these records up; bench/ws-paced.ts makes the same over a WebSocket).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { fireOnSchedule } from './schedule.js'
import { Pool } from 'undici'
import { textBody, type BenchConversation } from './fixtures.js'

export interface SentMessage {
  readonly id: string
  readonly conversationId: string
  /** performance.now() when the schedule said it should leave: latency from here has no coordinated omission. */
  readonly dueAt: number
  /** performance.now() when the request left. */
  readonly sentAt: number
  /** performance.now() when any answer arrived; NaN if none did. */
  answeredAt: number
  /** performance.now() when the 202 arrived; NaN if it did not. */
  acceptedAt: number
  /** The seq the API gave it; NaN until accepted. */
  seq: number
  /** The HTTP status (the WebSocket sender: 202 for `ok`, the error's status); 0 until answered. */
  status: number
}

export interface PacedOptions {
  readonly url: string
  readonly conversations: readonly BenchConversation[]
  readonly rate: number
  readonly durationS: number
  readonly connections?: number
  /** Give up waiting for the last answers after this long. */
  readonly drainTimeoutMs?: number
}

export interface PacedResult {
  readonly messages: readonly SentMessage[]
  readonly byId: ReadonlyMap<string, SentMessage>
  readonly accepted: number
  readonly errors: number
  /** How late the schedule ran at worst (the sender's own lag), ms. */
  readonly maxSendLagMs: number
  readonly elapsedS: number
}

interface Accepted {
  readonly seq: number
}

/** A record for a message due now: its id is chosen here, the rest is filled in as it goes. */
export function newMessage(conversationId: string, dueAt: number): SentMessage {
  const now = performance.now()
  return { id: randomUUID(), conversationId, dueAt, sentAt: now, answeredAt: Number.NaN, acceptedAt: Number.NaN, seq: Number.NaN, status: 0 }
}

/** Sends on a schedule; `messages`/`byId` are filled as it goes, so callers may look while it runs. */
export function pacedSend(options: PacedOptions): { readonly live: PacedResult['byId']; readonly done: Promise<PacedResult> } {
  const byId = new Map<string, SentMessage>()
  const done = (async (): Promise<PacedResult> => {
    const pool = new Pool(options.url, { connections: options.connections ?? 64, pipelining: 1, keepAliveTimeout: 60_000 })
    const total = Math.round(options.rate * options.durationS)
    const intervalMs = 1000 / options.rate
    const messages: SentMessage[] = []
    const inFlight = new Set<Promise<void>>()
    let accepted = 0
    let errors = 0
    let maxSendLagMs = 0
    const fire = (i: number, dueAt: number) => {
      const conversation = options.conversations[i % options.conversations.length]!
      // Round-robin over the conversation's senders, so consecutive requests carry different tokens.
      const sender = conversation.senders[Math.floor(i / options.conversations.length) % conversation.senders.length]!
      const message = newMessage(conversation.conversationId, dueAt)
      maxSendLagMs = Math.max(maxSendLagMs, message.sentAt - dueAt)
      messages.push(message)
      byId.set(message.id, message)
      const request = pool
        .request({
          method: 'POST',
          path: '/v1/messages',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
          body: textBody(message.id, conversation.conversationId, i),
        })
        .then(async (response) => {
          const text = await response.body.text()
          message.answeredAt = performance.now()
          message.status = response.statusCode
          if (response.statusCode !== 202) return
          message.acceptedAt = message.answeredAt
          message.seq = (JSON.parse(text) as Accepted).seq
          accepted++
        })
        .catch(() => {
          errors++
        })
        .finally(() => inFlight.delete(request))
      inFlight.add(request)
    }
    const start = await fireOnSchedule(total, intervalMs, fire)
    await Promise.race([Promise.all([...inFlight]), sleep(options.drainTimeoutMs ?? 30_000)])
    const elapsedS = (performance.now() - start) / 1000
    await pool.destroy()
    return { messages, byId, accepted, errors, maxSendLagMs, elapsedS }
  })()
  return { live: byId, done }
}

/** Exactly `count` accepted sends as fast as `concurrency` requests in flight allow (a backlog). */
export async function burstSend(url: string, conversations: readonly BenchConversation[], count: number, concurrency = 64): Promise<{ seconds: number }> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 })
  const started = performance.now()
  let next = 0
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < count; i = next++) {
          const conversation = conversations[i % conversations.length]!
          const response = await pool.request({
            method: 'POST',
            path: '/v1/messages',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${conversation.senders[0]!.token}` },
            body: textBody(randomUUID(), conversation.conversationId, i),
          })
          const text = await response.body.text()
          if (response.statusCode !== 202) throw new Error(`send ${i} → ${response.statusCode}: ${text.slice(0, 300)}`)
        }
      }),
    )
    return { seconds: (performance.now() - started) / 1000 }
  } finally {
    await pool.destroy()
  }
}
