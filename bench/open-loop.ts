/**
 * @module Scenario c's open-loop accept latency: bench/paced-sender.ts sends on the fixed schedule
 * (requests leave whether or not earlier ones answered), and this sums its per-message records up.
 * Latency is measured from when each request was due, so a stalled server cannot hide its stall by
 * slowing the sender down (coordinated omission).
 */
import type { BenchConversation } from './fixtures.js'
import { pacedSend, type SentMessage } from './paced-sender.js'

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

const over = (messages: readonly SentMessage[], value: (m: SentMessage) => number) => Float64Array.from(messages, value)

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const sent = await pacedSend(options).done
  const answered = sent.messages.filter((m) => m.status !== 0)
  const statuses: Record<string, number> = {}
  for (const m of answered) statuses[m.status] = (statuses[m.status] ?? 0) + 1
  return {
    scheduled: sent.messages.length,
    completed: answered.length,
    accepted: sent.accepted,
    statuses,
    errors: sent.errors,
    elapsedS: sent.elapsedS,
    fromScheduleMs: over(answered, (m) => m.answeredAt - m.dueAt),
    fromSendMs: over(answered, (m) => m.answeredAt - m.sentAt),
    sendLagMs: over(sent.messages, (m) => m.sentAt - m.dueAt),
  }
}
