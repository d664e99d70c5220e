/**
 * @module Scenario "latency": send → receive across processes at a fixed rate. The recipient's
 * WebSocket is on API process B, the sends go through API process A, so every message crosses the
 * whole path: A's commit, the outbox relay, NATS, a worker's fan-out, NATS core, B, the socket.
 * Latency = frame on the recipient's socket − request leaving the client, per message_id. The same
 * at the same rate in one all-in-one process (SQLite, in-process bus) gives the comparison.
 */
import { startServer } from '../server.js'
import { percentiles, round, type Percentiles } from '../stats.js'
import { closeAll, connect } from '../stream/clients.js'
import type { Deployment, ProcessLog } from './cluster.js'
import { CpuWindow, type CpuFigures, type Sampled } from './cpu-window.js'
import { senderToRecipient, type Fixture } from './fixtures.js'
import { pacedSend, type SentMessage } from '../paced-sender.js'
import { pollUntil } from '../poll.js'

export interface LatencyPhase {
  readonly rate: number
  readonly durationS: number
}

export interface LatencySettings {
  /** Measured one after the other on the same processes, e.g. a light rate then the target rate. */
  readonly phases: readonly LatencyPhase[]
  readonly conversations: number
}

export interface LatencyResult extends LatencyPhase {
  readonly conversations: number
  /** `scaled (A → B)` or `all-in-one`. */
  readonly shape: string
  readonly sent: number
  readonly accepted: number
  /** Accepted messages whose frame had not reached the recipient 20 s after the last send. */
  readonly missing: number
  /** Frames for a message_id already received. */
  readonly duplicateFrames: number
  /** The rate the sender held (accepted / elapsed). */
  readonly achievedRate: number
  /** The sender's worst lag behind its schedule, ms (a busy load generator shows here). */
  readonly maxSendLagMs: number
  /** Request leaving → frame on the recipient's socket, ms. */
  readonly delivery: Percentiles
  /** Request leaving → 202, ms. */
  readonly accept: Percentiles
  readonly cpu: CpuFigures
}

const MESSAGE_ID = /"message_id":"([^"]+)"/

async function measure(shape: string, sendUrl: string, receiveUrl: string, fixture: Fixture, settings: LatencySettings, processes: readonly Sampled[]): Promise<LatencyResult[]> {
  const received = new Map<string, number>()
  let duplicateFrames = 0
  const receiver = await connect(receiveUrl, fixture.recipient.token)
  receiver.onMessage = (data, at) => {
    const id = MESSAGE_ID.exec(data.toString('utf8', 0, 600))?.[1]
    if (id === undefined) return
    if (received.has(id)) duplicateFrames++
    else received.set(id, at)
  }
  const send = (rate: number, durationS: number) =>
    // A short drain: past it, an overloaded shape's queue is the finding, not something to wait out.
    pacedSend({ url: sendUrl, conversations: fixture.conversations, rate, durationS, drainTimeoutMs: 10_000 }).done
  const arrived = (messages: readonly SentMessage[]) => () => Promise.resolve(messages.every((m) => m.status !== 202 || received.has(m.id)))
  try {
    // Warm-up at a light rate: JIT, connection pools, the stream's member cache.
    const warm = await send(Math.min(100, settings.phases[0]?.rate ?? 100), 2)
    await pollUntil('the warm-up messages arrived', arrived(warm.messages), 30_000, 100).catch(() => undefined)
    const results: LatencyResult[] = []
    for (const phase of settings.phases) {
      duplicateFrames = 0
      const window = new CpuWindow(processes).start()
      const sent = await send(phase.rate, phase.durationS)
      const cpu = window.stop()
      const accepted = sent.messages.filter((m) => m.status === 202)
      await pollUntil('every accepted message reached the recipient', arrived(accepted), 20_000, 100).catch(() => undefined)
      const delivered = accepted.filter((m) => received.has(m.id))
      results.push({
        ...phase,
        conversations: settings.conversations,
        shape,
        sent: sent.messages.length,
        accepted: accepted.length,
        missing: accepted.length - delivered.length,
        duplicateFrames,
        achievedRate: round(accepted.length / sent.elapsedS),
        maxSendLagMs: round(sent.maxSendLagMs),
        delivery: percentiles(delivered.map((m) => received.get(m.id)! - m.sentAt)),
        accept: percentiles(accepted.map((m) => m.acceptedAt - m.sentAt)),
        cpu,
      })
    }
    return results
  } finally {
    await closeAll([receiver])
  }
}

/** 2 API processes (A sends, B holds the recipient's socket), a relay and 2 workers. */
export async function measureScaledLatency(d: Deployment, settings: LatencySettings): Promise<LatencyResult[]> {
  const [apis] = await Promise.all([d.start('api', 2), d.start('relay'), d.start('worker', 2)])
  const [a, b] = apis as [(typeof apis)[0], (typeof apis)[0]]
  const fixture = await senderToRecipient(a.url, settings.conversations)
  return measure('scaled: send via API A, receive on API B', a.url, b.url, fixture, settings, d.processes)
}

/** `serve` with its defaults: SQLite and the in-process bus, everything in one process. */
export async function measureAllInOneLatency(settings: LatencySettings): Promise<{ results: LatencyResult[]; log: ProcessLog }> {
  const server = await startServer()
  let results: LatencyResult[]
  try {
    const fixture = await senderToRecipient(server.url, settings.conversations)
    results = await measure('all-in-one (SQLite, in-process bus)', server.url, server.url, fixture, settings, [
      { label: 'all-in-one', role: 'all', sampler: server.sampler },
    ])
  } catch (error) {
    await server.stop()
    throw error
  }
  const { code } = await server.stop()
  return { results, log: { label: 'all-in-one', pid: server.pid, exit: code, stderr: server.stderrTail() } }
}
