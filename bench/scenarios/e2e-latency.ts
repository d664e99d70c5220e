/**
 * @module Scenario f: send → receive latency at fixed offered rates, open loop, as the peer bench
 * measures it: P pairs, A sends to B (REST, or the `send` command on A's WebSocket), B receives on
 * its live WebSocket. Latency runs from when each send was DUE by the schedule to the frame on B's
 * socket, so a stall anywhere (server or sender) shows instead of being hidden (coordinated omission).
 */
import type { BenchConfig, SendVia } from '../config.js'
import type { BenchConversation } from '../fixtures.js'
import { pacedSend, type PacedResult, type SentMessage } from '../paced-sender.js'
import { selfCpuMark } from '../proc-stats.js'
import { monotonicUs } from '../profile.js'
import { pollUntil } from '../poll.js'
import type { BenchServer } from '../server.js'
import { percentiles, round } from '../stats.js'
import { closeAll, connectAll, type BenchClient } from '../stream/clients.js'
import type { Seeder, SeedUser } from '../stream/fixtures.js'
import type { E2eLatencyRun, E2ePhase } from '../types.js'
import { cpuPerMessage, loadCpu, serverUsage } from '../usage.js'
import { wsPacedSend } from '../ws-paced.js'
import { PipelinedSender } from '../ws-sender.js'

export interface PairsFixture {
  readonly senders: readonly SeedUser[]
  readonly recipients: readonly SeedUser[]
  /** Pair k's private conversation. */
  readonly conversations: readonly string[]
}

export async function seedPairs(seeder: Seeder, count: number): Promise<PairsFixture> {
  const senders = await seeder.users(count, 'a')
  const recipients = await seeder.users(count, 'b')
  const conversations: string[] = []
  for (let i = 0; i < count; i++) conversations.push(await seeder.conversation('private', [senders[i]!, recipients[i]!]))
  return { senders, recipients, conversations }
}

const MESSAGE_ID = /"message_id":"([^"]+)"/

/** Every recipient's frames, by message_id: when the first one arrived, and how many came twice. */
function listen(recipients: readonly BenchClient[]) {
  const received = new Map<string, number>()
  let duplicates = 0
  for (const client of recipients) {
    client.onMessage = (data, at) => {
      const id = MESSAGE_ID.exec(data.toString('utf8', 0, 600))?.[1]
      if (id === undefined) return
      if (received.has(id)) duplicates++
      else received.set(id, at)
    }
  }
  return { received, duplicates: () => duplicates }
}

const settled = (m: SentMessage) => !Number.isNaN(m.acceptedAt)

export async function runE2eLatency(server: BenchServer, config: BenchConfig, fixture: PairsFixture): Promise<E2eLatencyRun> {
  const recipients = await connectAll(server.url, fixture.recipients.map((u) => u.token))
  const senderSockets = config.e2eVia.includes('ws') ? await connectAll(server.url, fixture.senders.map((u) => u.token)) : []
  try {
    const { received, duplicates } = listen(recipients)
    const conversations: BenchConversation[] = fixture.conversations.map((conversationId, i) => ({
      conversationId,
      senders: [{ userId: fixture.senders[i]!.id, username: fixture.senders[i]!.username, token: fixture.senders[i]!.token }],
    }))
    const lanes = senderSockets.map((client, i) => ({ sender: new PipelinedSender(client), conversationId: fixture.conversations[i]! }))
    // A short drain: past it, an overloaded server's queue is the finding, not something to wait out.
    const send = (via: SendVia, rate: number, durationS: number): Promise<PacedResult> =>
      via === 'ws'
        ? wsPacedSend(lanes, rate, durationS, 10_000)
        : pacedSend({ url: server.url, conversations, rate, durationS, connections: Math.max(16, Math.ceil(rate / 20)), drainTimeoutMs: 10_000 }).done
    const arrived = (messages: readonly SentMessage[]) => () => Promise.resolve(messages.every((m) => !settled(m) || received.has(m.id)))

    const serverMark = server.sampler.mark()
    const selfMark = selfCpuMark()
    const fromUs = monotonicUs()
    const phases: E2ePhase[] = []
    for (const via of config.e2eVia) {
      if (config.warmupS > 0) {
        // JIT, connection pools, the stream's member cache: at a light rate, unmeasured.
        const warm = await send(via, Math.min(500, config.e2eRates[0] ?? 500), config.warmupS)
        await pollUntil('the warm-up messages arrived', arrived(warm.messages), 20_000, 50).catch(() => undefined)
      }
      for (const rate of config.e2eRates) {
        await server.sampler.waitIdle(15_000)
        const duplicatesBefore = duplicates()
        const phaseMark = server.sampler.mark()
        const phaseSelf = selfCpuMark()
        const sent = await send(via, rate, config.latencyDurationS)
        const accepted = sent.messages.filter(settled)
        await pollUntil('every accepted message reached its recipient', arrived(accepted), 20_000, 50).catch(() => undefined)
        const cpu = loadCpu(server.sampler, phaseMark, phaseSelf)
        const delivered = accepted.filter((m) => received.has(m.id))
        const at = (m: SentMessage) => received.get(m.id)!
        phases.push({
          via,
          rate,
          durationS: config.latencyDurationS,
          scheduled: sent.messages.length,
          accepted: accepted.length,
          delivered: delivered.length,
          missing: accepted.length - delivered.length,
          failed: sent.messages.length - accepted.length,
          duplicateFrames: duplicates() - duplicatesBefore,
          deliveredPerSec: round(delivered.length / config.latencyDurationS, 0),
          fromDueMs: percentiles(delivered.map((m) => at(m) - m.dueAt)),
          fromSendMs: percentiles(delivered.map((m) => at(m) - m.sentAt)),
          acceptFromDueMs: percentiles(accepted.map((m) => m.acceptedAt - m.dueAt)),
          sendLagMs: percentiles(sent.messages.map((m) => m.sentAt - m.dueAt)),
          server: serverUsage(server.sampler, cpu, cpuPerMessage(cpu.cpuSeconds, delivered.length, 'delivered message')),
        })
        if (server.exited()) throw new Error(`server exited during the run:\n${server.stderrTail()}`)
      }
    }
    const loadWindowUs = { fromUs, toUs: monotonicUs() }
    const cpu = loadCpu(server.sampler, serverMark, selfMark)
    const deliveredAll = phases.reduce((sum, p) => sum + p.delivered, 0)
    return {
      pairs: fixture.conversations.length,
      phases,
      server: serverUsage(server.sampler, cpu, cpuPerMessage(cpu.cpuSeconds, deliveredAll, 'delivered message, all phases and warm-ups')),
      loadWindowUs,
    }
  } finally {
    await closeAll([...recipients, ...senderSockets])
  }
}
