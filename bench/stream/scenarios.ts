/**
 * @module The four stream measurements. Each gets a server already seeded with what it needs and
 * returns plain numbers; run.ts prints and saves them. Nothing here asserts: the machine may be busy.
 */
import { Pool } from 'undici'
import { readMemory } from '../proc-stats.js'
import { fireOnSchedule } from '../schedule.js'
import { closeAll, connect, connectAll, until, type BenchClient } from './clients.js'
import type { SeedUser } from './fixtures.js'

export interface Percentiles {
  readonly count: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
  const round = (n: number) => Math.round(n * 100) / 100
  return { count: sorted.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? Number.NaN) }
}

function sender(url: string, connections = 32) {
  const pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 })
  return {
    async send(token: string, conversationId: string, text: string): Promise<void> {
      const reply = await pool.request({
        method: 'POST',
        path: '/v1/messages',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ conversation_id: conversationId, payload: { type: 'text', text } }),
      })
      const body = await reply.body.text()
      if (reply.statusCode !== 202) throw new Error(`send → ${reply.statusCode}: ${body.slice(0, 300)}`)
    },
    close: () => pool.close(),
  }
}

export interface Pair {
  readonly from: SeedUser
  readonly to: SeedUser
  readonly conversationId: string
}

/**
 * Open loop: `rate` messages per second spread over the pairs, each carrying its send time; the
 * latency is from the POST leaving the client to the recipient's socket delivering the frame.
 */
export interface LatencyResult {
  /** POST sent → frame on the recipient's socket. */
  readonly delivery: Percentiles
  /** POST sent → 202 received: the accept path alone, for comparison. */
  readonly accept: Percentiles
}

export async function latencyAtRate(url: string, pairs: readonly Pair[], rate: number, seconds: number): Promise<LatencyResult> {
  const recipients = await Promise.all(pairs.map((p) => connect(url, p.to.token)))
  const samples: number[] = []
  const accepts: number[] = []
  for (const client of recipients) {
    client.onMessage = (data, at) => {
      const match = /"text":"t(\d+(?:\.\d+)?)"/.exec(data.toString('utf8', 0, 600))
      if (match) samples.push(at - Number(match[1]))
    }
  }
  const http = sender(url, 64)
  const total = rate * seconds
  const inFlight: Promise<void>[] = []
  await fireOnSchedule(total, 1000 / rate, (i) => {
    const pair = pairs[i % pairs.length]!
    const at = performance.now()
    inFlight.push(http.send(pair.from.token, pair.conversationId, `t${at}`).then(() => void accepts.push(performance.now() - at)))
  })
  await Promise.all(inFlight)
  await until(() => samples.length >= total, `${total} deliveries`, 60_000)
  await http.close()
  await closeAll(recipients)
  return { delivery: percentiles(samples), accept: percentiles(accepts) }
}

export interface FanoutResult {
  readonly members: number
  readonly messages: number
  readonly deliveries: number
  readonly seconds: number
  readonly deliveriesPerSecond: number
}

/** One sender, `messages` messages into a group whose members are all connected. */
export async function groupFanout(url: string, sender0: SeedUser, members: readonly { messages: number }[], groupId: string, messages: number): Promise<FanoutResult> {
  const http = sender(url, 16)
  const before = members.map((m) => m.messages)
  const start = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < messages) {
        next++
        await http.send(sender0.token, groupId, `fan-out ${next}`)
      }
    }),
  )
  await until(() => members.every((m, i) => m.messages - before[i]! >= messages), 'every member has every message', 120_000)
  const seconds = (performance.now() - start) / 1000
  await http.close()
  const deliveries = members.length * messages
  return { members: members.length, messages, deliveries, seconds, deliveriesPerSecond: Math.round(deliveries / seconds) }
}

/** Resident memory of a process, in bytes. */
export function rssOf(pid: number): number {
  return (readMemory(pid)?.rssMb ?? Number.NaN) * 2 ** 20
}

export interface BacklogResult {
  readonly messages: number
  readonly sendSeconds: number
  /** From opening the connection to `ready`, which follows the last replayed message. */
  readonly readyMs: number
  readonly messagesPerSecond: number
}

/** `count` messages while the recipient is offline, then one fresh connection replays them all. */
export async function offlineBacklog(url: string, pair: Pair, count: number): Promise<BacklogResult> {
  const http = sender(url, 32)
  const sendStart = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        next++
        await http.send(pair.from.token, pair.conversationId, `backlog ${next}`)
      }
    }),
  )
  const sendSeconds = (performance.now() - sendStart) / 1000
  await http.close()
  // Let the relay and router settle so the replay is measured alone.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const start = performance.now()
  let readyAt = Number.NaN
  const client = await connect(url, pair.to.token, (at) => (readyAt = at))
  const readyMs = readyAt - start
  await closeAll([client])
  return {
    messages: client.messages,
    sendSeconds: Math.round(sendSeconds * 100) / 100,
    readyMs: Math.round(readyMs),
    messagesPerSecond: Math.round(client.messages / (readyMs / 1000)),
  }
}

export { connectAll, closeAll }
