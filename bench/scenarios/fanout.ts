/**
 * @module Scenario g: end-to-end fan-out to a group whose members are all connected. One sender
 * (a member too) posts into the group, closed loop (bench/stream/scenarios.ts `groupFanout`); each
 * member's lean raw-socket reader (bench/stream/raw-client.ts) counts its frames. Deliveries/s =
 * messages × members ÷ time until every member has every message.
 */
import type { BenchConfig } from '../config.js'
import { selfCpuMark } from '../proc-stats.js'
import { monotonicUs } from '../profile.js'
import type { BenchServer } from '../server.js'
import { loopbackSource, requireOpenFiles } from '../sources.js'
import { spread } from '../stats.js'
import type { Seeder, SeedUser } from '../stream/fixtures.js'
import { connectAllRaw } from '../stream/raw-client.js'
import { groupFanout } from '../stream/scenarios.js'
import type { FanoutRun } from '../types.js'
import { cpuPerMessage, loadCpu, serverUsage } from '../usage.js'

export interface GroupFixture {
  readonly members: readonly SeedUser[]
  readonly groupId: string
}

export async function seedGroup(seeder: Seeder, members: number): Promise<GroupFixture> {
  const users = await seeder.users(members, 'member')
  return { members: users, groupId: await seeder.conversation('group', users) }
}

export async function runFanout(server: BenchServer, config: BenchConfig, fixture: GroupFixture): Promise<FanoutRun> {
  requireOpenFiles(fixture.members.length + 200)
  const connectStarted = performance.now()
  const clients = await connectAllRaw(server.url, fixture.members.map((m) => m.token), 200, loopbackSource(config.connectionsPerAddress))
  const connectS = (performance.now() - connectStarted) / 1000
  try {
    const sender = fixture.members[0]!
    if (config.warmupS > 0) {
      await groupFanout(server.url, sender, clients, fixture.groupId, 20)
      await server.sampler.waitIdle(15_000)
    }
    const serverMark = server.sampler.mark()
    const selfMark = selfCpuMark()
    const fromUs = monotonicUs()
    const rounds = []
    for (let i = 0; i < config.fanoutRounds; i++) {
      rounds.push(await groupFanout(server.url, sender, clients, fixture.groupId, config.fanoutMessages))
      if (server.exited()) throw new Error(`server exited during the run:\n${server.stderrTail()}`)
    }
    const loadWindowUs = { fromUs, toUs: monotonicUs() }
    const cpu = loadCpu(server.sampler, serverMark, selfMark)
    const deliveries = rounds.reduce((sum, r) => sum + r.deliveries, 0)
    const dropped = clients.filter((c) => c.closed).length
    if (dropped > 0) throw new Error(`${dropped} member connections were closed during the run`)
    return {
      members: clients.length,
      connectS: Math.round(connectS * 10) / 10,
      rounds: rounds.map(({ messages, deliveries: d, seconds, deliveriesPerSecond }) => ({ messages, deliveries: d, seconds, deliveriesPerSecond })),
      deliveriesPerSecond: spread(rounds.map((r) => r.deliveriesPerSecond)).median,
      server: serverUsage(server.sampler, cpu, cpuPerMessage(cpu.cpuSeconds, deliveries, 'delivery (message × member)')),
      loadWindowUs,
    }
  } finally {
    for (const client of clients) client.socket.destroy()
  }
}
