/**
 * @module Scenario e: durable accepted sends/s over the WebSocket `send` command, closed loop. Each
 * of N senders holds one socket and sends into its own private conversation with one recipient who
 * is not connected, so every message is written once and pushed once (to the sender's own socket,
 * as to any device of the sender): the cost measured is the accept, not a fan-out.
 */
import { Api } from '../api.js'
import type { BenchConfig } from '../config.js'
import type { BenchConversation, BenchUser } from '../fixtures.js'
import { selfCpuMark } from '../proc-stats.js'
import { monotonicUs } from '../profile.js'
import type { BenchServer } from '../server.js'
import { percentiles, round } from '../stats.js'
import { closeAll, connectAll } from '../stream/clients.js'
import type { Seeder, SeedUser } from '../stream/fixtures.js'
import type { WsThroughputRun } from '../types.js'
import { cpuPerMessage, loadCpu, serverUsage } from '../usage.js'
import { verifyStored } from '../verify.js'
import { wsClosedLoop } from '../ws-load.js'
import type { WsLane } from '../ws-paced.js'
import { PipelinedSender } from '../ws-sender.js'

export interface SendersFixture {
  readonly senders: readonly SeedUser[]
  /** Conversation k: sender k with the recipient; the measured load goes here. */
  readonly measured: readonly string[]
  /** A second conversation per sender for the warm-up, so the measured ones hold measured messages only. */
  readonly warm: readonly string[]
}

export async function seedSenders(seeder: Seeder, count: number): Promise<SendersFixture> {
  const [recipient] = await seeder.users(1, 'sink')
  const senders = await seeder.users(count, 'sender')
  const measured: string[] = []
  const warm: string[] = []
  for (const sender of senders) {
    measured.push(await seeder.conversation('private', [sender, recipient!]))
    warm.push(await seeder.conversation('group', [sender, recipient!]))
  }
  return { senders, measured, warm }
}

const asBenchUser = (u: SeedUser): BenchUser => ({ userId: u.id, username: u.username, token: u.token })

export async function runWsThroughput(server: BenchServer, config: BenchConfig, fixture: SendersFixture): Promise<WsThroughputRun> {
  const clients = await connectAll(server.url, fixture.senders.map((s) => s.token))
  const api = new Api(server.url)
  try {
    const senders = clients.map((c) => new PipelinedSender(c))
    const lanes = (conversations: readonly string[]): WsLane[] => senders.map((sender, i) => ({ sender, conversationId: conversations[i]! }))
    if (config.warmupS > 0) {
      await wsClosedLoop(lanes(fixture.warm), config.wsPipeline, config.warmupS, false)
      await server.sampler.waitIdle(15_000)
    }

    const serverMark = server.sampler.mark()
    const selfMark = selfCpuMark()
    const fromUs = monotonicUs()
    const load = await wsClosedLoop(lanes(fixture.measured), config.wsPipeline, config.durationS, config.verify === 'full')
    const loadWindowUs = { fromUs, toUs: monotonicUs() }
    const cpu = loadCpu(server.sampler, serverMark, selfMark)
    if (server.exited()) throw new Error(`server exited during the run:\n${server.stderrTail()}`)
    await server.sampler.waitIdle(60_000)
    // As in a and b: what the server does after the last reply (pushes, outbox) is part of the cost.
    const perMessage = cpuPerMessage(server.sampler.cpuSecondsSince(serverMark), load.accepted, 'accepted message (load + drain)')

    const conversations: BenchConversation[] = fixture.measured.map((conversationId, i) => ({ conversationId, senders: [asBenchUser(fixture.senders[i]!)] }))
    const verification = await verifyStored({
      api,
      conversations,
      accepted: load.accepted,
      acceptedIds: config.verify === 'full' ? load.acceptedIds : undefined,
      unanswered: load.unanswered,
      method: config.verify,
      pageLimit: config.pageLimit,
    })
    const outOfOrder = senders.reduce((sum, s) => sum + s.outOfOrder, 0)
    if (outOfOrder > 0) throw new Error(`${outOfOrder} replies did not answer the oldest pending send (replies out of command order)`)
    return {
      sockets: clients.length,
      pipeline: config.wsPipeline,
      durationS: round(load.durationS, 2),
      sent: load.sent,
      accepted: load.accepted,
      duplicateReplies: load.duplicateReplies,
      errorCodes: load.errorCodes,
      unanswered: load.unanswered,
      socketsClosed: senders.filter((s) => !s.open).length,
      acceptedPerSec: round(load.acceptedInWindow / load.durationS, 0),
      acceptedEachSecond: load.acceptedEachSecond,
      ackMs: percentiles(load.ackMs),
      verification,
      server: serverUsage(server.sampler, cpu, perMessage),
      loadWindowUs,
    }
  } finally {
    await closeAll(clients)
    await api.close()
  }
}
