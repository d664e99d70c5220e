/**
 * @module Open-loop sender: requests leave on a fixed schedule whether or not earlier ones have
 * answered, and latency is measured from when each was due, so a stalled server cannot hide its
 * stall by slowing the sender down (coordinated omission).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { fireOnSchedule } from './schedule.js'
import { Pool } from 'undici'
import { textBody, type BenchConversation } from './fixtures.js'

export interface OpenLoopOptions {
  readonly url: string
  readonly conversations: readonly BenchConversation[]
  readonly rate: number
  readonly durationS: number
  /** Connections in the pool: enough that a request never waits for a free one at this rate. */
  readonly connections: number
  /** Give up waiting for stragglers after this long once the schedule is done. */
  readonly drainTimeoutMs?: number
}

export interface OpenLoopResult {
  readonly scheduled: number
  readonly completed: number
  readonly accepted: number
  readonly statuses: Readonly<Record<string, number>>
  readonly errors: number
  readonly elapsedS: number
  readonly fromScheduleMs: Float64Array
  readonly fromSendMs: Float64Array
  readonly sendLagMs: Float64Array
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000 })
  const total = Math.round(options.rate * options.durationS)
  const intervalMs = 1000 / options.rate
  const fromSchedule = new Float64Array(total).fill(Number.NaN)
  const fromSend = new Float64Array(total).fill(Number.NaN)
  const sendLag = new Float64Array(total).fill(Number.NaN)
  const statuses: Record<string, number> = {}
  let accepted = 0
  let errors = 0
  let completed = 0
  const inFlight = new Set<Promise<void>>()

  const fire = (i: number, dueAt: number) => {
    const conversation = options.conversations[i % options.conversations.length]!
    const sender = conversation.senders[Math.floor(i / options.conversations.length) % conversation.senders.length]!
    const sentAt = performance.now()
    sendLag[i] = sentAt - dueAt
    const done = pool
      .request({
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
        body: textBody(randomUUID(), conversation.conversationId, i),
      })
      .then(async (response) => {
        await response.body.text()
        const end = performance.now()
        fromSchedule[i] = end - dueAt
        fromSend[i] = end - sentAt
        completed++
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1
        if (response.statusCode === 202) accepted++
      })
      .catch(() => {
        errors++
      })
      .finally(() => inFlight.delete(done))
    inFlight.add(done)
  }

  const start = await fireOnSchedule(total, intervalMs, fire)
  const drained = Promise.all([...inFlight]).then(() => true)
  const gaveUp = sleep(options.drainTimeoutMs ?? 30_000).then(() => false)
  await Promise.race([drained, gaveUp])
  const elapsedS = (performance.now() - start) / 1000
  await pool.destroy()
  const answered = (values: Float64Array) => values.filter((v) => !Number.isNaN(v))
  return {
    scheduled: total,
    completed,
    accepted,
    statuses,
    errors,
    elapsedS,
    fromScheduleMs: answered(fromSchedule),
    fromSendMs: answered(fromSend),
    sendLagMs: answered(sendLag),
  }
}
