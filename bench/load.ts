/**
 * @module Closed-loop send load with autocannon: keep-alive connections, each request a fresh
 * message_id, round-robin over conversations and their senders.
 */
import { randomUUID } from 'node:crypto'
import autocannon from 'autocannon'
import { textBody, type BenchConversation } from './fixtures.js'

export interface SendLoadOptions {
  readonly url: string
  readonly conversations: readonly BenchConversation[]
  readonly connections: number
  readonly pipelining: number
  readonly durationS: number
  /** Keep the ids of 202 responses (for verification). */
  readonly collectIds: boolean
}

export interface SendLoadResult {
  /** Requests written (one setupRequest per request). */
  readonly sent: number
  /** Responses received, by status code. */
  readonly statuses: Readonly<Record<string, number>>
  readonly acceptedIds: Set<string>
  readonly accepted: number
  readonly errors: number
  readonly timeouts: number
  readonly durationS: number
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number }
  readonly autocannonSent: number
  /** 202s per second of the run, in order: shows warm-up and slow-down over time. */
  readonly acceptedPerSecond: readonly number[]
}

export async function sendLoad(options: SendLoadOptions): Promise<SendLoadResult> {
  const { conversations } = options
  let built = 0
  let accepted = 0
  const statuses: Record<string, number> = {}
  const acceptedIds = new Set<string>()
  const perSecond: number[] = []
  let startedAt = 0
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const n = built++
    const conversation = conversations[n % conversations.length]!
    const sender = conversation.senders[Math.floor(n / conversations.length) % conversation.senders.length]!
    return {
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${sender.token}` },
      body: textBody(randomUUID(), conversation.conversationId, n),
    }
  }
  const onResponse = (status: number, body: string): void => {
    statuses[status] = (statuses[status] ?? 0) + 1
    if (status !== 202) return
    accepted++
    const second = Math.floor((performance.now() - startedAt) / 1000)
    perSecond[second] = (perSecond[second] ?? 0) + 1
    if (options.collectIds) acceptedIds.add((JSON.parse(body) as { message_id: string }).message_id)
  }
  startedAt = performance.now()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: `${options.url}/v1/messages`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: options.connections,
        pipelining: options.pipelining,
        duration: options.durationS,
        timeout: 10,
        requests: [{ method: 'POST', path: '/v1/messages', setupRequest, onResponse }],
      },
      (error, res) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(res)),
    )
  })
  return {
    sent: built,
    statuses,
    acceptedIds,
    accepted,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    autocannonSent: result.requests.sent,
    // Whole seconds only: the last partial second would read as a drop.
    acceptedPerSecond: Array.from({ length: Math.floor(result.duration) }, (_, i) => perSecond[i] ?? 0),
  }
}
