/** @module Scenarios a and b: durable accepted sends per second, sustained, closed loop. */
import { Api } from '../api.js'
import type { BenchConfig } from '../config.js'
import { createUsers, pairGroups, privateConversation, type BenchConversation, type BenchUser } from '../fixtures.js'
import { sendLoad } from '../load.js'
import { selfCpuMark } from '../proc-stats.js'
import { monotonicUs } from '../profile.js'
import type { BenchServer } from '../server.js'
import { round } from '../stats.js'
import type { ThroughputRun } from '../types.js'
import { cpuPerMessage, loadCpu, serverUsage } from '../usage.js'
import { verifyStored } from '../verify.js'

async function warmUp(server: BenchServer, api: Api, users: readonly BenchUser[], config: BenchConfig): Promise<void> {
  if (config.warmupS === 0) return
  // A separate conversation, so the measured ones hold only measured messages.
  const [conversation] = await pairGroups(api, users.slice(0, 2), 1)
  await sendLoad({
    url: server.url,
    conversations: [conversation!],
    connections: config.connections,
    pipelining: config.pipelining,
    durationS: config.warmupS,
    collectIds: false,
  })
  await server.sampler.waitIdle(15_000)
}

/** One measured run on a fresh server: `conversationCount` 1 is scenario a, more is scenario b. */
export async function runThroughput(server: BenchServer, config: BenchConfig, conversationCount: number): Promise<ThroughputRun> {
  const api = new Api(server.url)
  try {
    const users = await createUsers(api, config.users)
    const conversations: BenchConversation[] =
      conversationCount === 1 ? [await privateConversation(api, users[0]!, users[1]!)] : await pairGroups(api, users, conversationCount)
    await warmUp(server, api, users, config)

    const serverMark = server.sampler.mark()
    const selfMark = selfCpuMark()
    const fromUs = monotonicUs()
    const load = await sendLoad({
      url: server.url,
      conversations,
      connections: config.connections,
      pipelining: config.pipelining,
      durationS: config.durationS,
      collectIds: config.verify === 'full',
    })
    const loadWindowUs = { fromUs, toUs: monotonicUs() }
    const cpu = loadCpu(server.sampler, serverMark, selfMark)
    if (server.exited()) throw new Error(`server exited during the run:\n${server.stderrTail()}`)
    const drain = await server.sampler.waitIdle(60_000)
    // Routing and relaying go on after the last 202: the drain belongs to what those sends cost.
    const perMessage = cpuPerMessage(server.sampler.cpuSecondsSince(serverMark), load.accepted, 'accepted message (load + drain)')

    const responses = Object.values(load.statuses).reduce((a, b) => a + b, 0)
    const verification = await verifyStored({
      api,
      conversations,
      accepted: load.accepted,
      acceptedIds: config.verify === 'full' ? load.acceptedIds : undefined,
      unanswered: load.sent - responses,
      method: config.verify,
      pageLimit: config.pageLimit,
    })
    const otherStatuses = Object.fromEntries(Object.entries(load.statuses).filter(([status]) => status !== '202'))
    return {
      conversations: conversationCount,
      connections: config.connections,
      pipelining: config.pipelining,
      durationS: load.durationS,
      sent: load.sent,
      accepted: load.accepted,
      acceptedPerSec: round(load.accepted / load.durationS, 0),
      acceptedEachSecond: load.acceptedPerSecond,
      otherStatuses,
      errors: load.errors,
      timeouts: load.timeouts,
      latencyMs: load.latencyMs,
      verification,
      server: { ...serverUsage(server.sampler, cpu, perMessage), drainMs: Math.round(drain.ms), drainTimedOut: drain.timedOut },
      loadWindowUs,
    }
  } finally {
    await api.close()
  }
}
