/** @module Scenario c: accept latency at a fixed, open-loop rate. */
import { Api } from '../api.js'
import type { BenchConfig } from '../config.js'
import { createUsers, pairGroups, privateConversation } from '../fixtures.js'
import { openLoop } from '../open-loop.js'
import { selfCpuMark } from '../proc-stats.js'
import { monotonicUs } from '../profile.js'
import type { BenchServer } from '../server.js'
import { percentiles, round } from '../stats.js'
import type { LatencyRun } from '../types.js'
import { cpuPerMessage, loadCpu, serverUsage } from '../usage.js'

const roundAll = <T extends object>(values: T): T =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v as number, 2)])) as T

export async function runLatency(server: BenchServer, config: BenchConfig): Promise<LatencyRun> {
  const api = new Api(server.url)
  try {
    const users = await createUsers(api, 2)
    const conversation = await privateConversation(api, users[0]!, users[1]!)
    const connections = Math.max(16, Math.ceil(config.rate / 20))
    if (config.warmupS > 0) {
      const [warm] = await pairGroups(api, users, 1)
      await openLoop({ url: server.url, conversations: [warm!], rate: config.rate, durationS: config.warmupS, connections })
      await server.sampler.waitIdle(15_000)
    }
    const serverMark = server.sampler.mark()
    const selfMark = selfCpuMark()
    const fromUs = monotonicUs()
    const result = await openLoop({
      url: server.url,
      conversations: [conversation],
      rate: config.rate,
      durationS: config.latencyDurationS,
      connections,
    })
    const loadWindowUs = { fromUs, toUs: monotonicUs() }
    const cpu = loadCpu(server.sampler, serverMark, selfMark)
    if (server.exited()) throw new Error(`server exited during the run:\n${server.stderrTail()}`)
    return {
      targetRate: config.rate,
      durationS: config.latencyDurationS,
      scheduled: result.scheduled,
      completed: result.completed,
      accepted: result.accepted,
      otherStatuses: Object.fromEntries(Object.entries(result.statuses).filter(([status]) => status !== '202')),
      errors: result.errors,
      achievedRate: round(result.completed / result.elapsedS, 0),
      fromScheduleMs: roundAll(percentiles(result.fromScheduleMs)),
      fromSendMs: roundAll(percentiles(result.fromSendMs)),
      sendLagMs: roundAll(percentiles(result.sendLagMs)),
      server: serverUsage(server.sampler, cpu, cpuPerMessage(cpu.cpuSeconds, result.accepted, 'accepted message')),
      loadWindowUs,
    }
  } finally {
    await api.close()
  }
}
