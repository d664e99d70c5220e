/**
 * @module Scenario h: what a server costs at rest. Start-up time (spawn → banner) and RSS of the
 * fresh server; then N idle authenticated WebSockets (lean raw-socket readers that answer pings,
 * from several loopback source addresses past ~25,000): RSS growth per connection, server CPU per
 * connect, and the server's CPU over a quiet window (its heartbeat pings, timers).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { BenchConfig } from '../config.js'
import { readMemory, selfCpuMark } from '../proc-stats.js'
import { monotonicUs } from '../profile.js'
import type { BenchServer } from '../server.js'
import { loopbackSource, requireOpenFiles, sourceAddressCount } from '../sources.js'
import { round } from '../stats.js'
import { closeAll, connect, connectAll } from '../stream/clients.js'
import type { Seeder, SeedUser } from '../stream/fixtures.js'
import { connectAllRaw } from '../stream/raw-client.js'
import type { IdleRun } from '../types.js'
import { cpuPerMessage, loadCpu, serverUsage } from '../usage.js'

/** Users that only connect: no conversations, so nothing is replayed or pushed to them. */
export const seedIdleUsers = (seeder: Seeder, count: number): Promise<SeedUser[]> => seeder.users(count, 'idle')

const rssMb = (pid: number) => readMemory(pid)?.rssMb ?? Number.NaN

export async function runIdle(server: BenchServer, config: BenchConfig, users: readonly SeedUser[]): Promise<IdleRun> {
  const count = users.length
  requireOpenFiles(count + 200)
  // Nothing has touched the fresh server yet: this is its footprint at rest.
  await sleep(config.settleS * 1000)
  const idleRssMb = rssMb(server.pid)

  // One full client reads the heartbeat interval from `welcome`; a few more warm the connect path.
  const probe = await connect(server.url, users[0]!.token)
  const heartbeatMs = probe.heartbeatMs
  await closeAll([probe, ...(await connectAll(server.url, users.slice(1, 51).map((u) => u.token)))])
  await sleep(2_000)
  const rssBeforeMb = rssMb(server.pid)

  const connectMark = server.sampler.mark()
  const selfMark = selfCpuMark()
  const fromUs = monotonicUs()
  const started = performance.now()
  const clients = await connectAllRaw(server.url, users.map((u) => u.token), 200, loopbackSource(config.connectionsPerAddress))
  const connectS = (performance.now() - started) / 1000
  const connectCpu = loadCpu(server.sampler, connectMark, selfMark)
  try {
    await sleep(Math.max(2, config.settleS) * 1000)
    const rssAfterMb = rssMb(server.pid)

    const quietMark = server.sampler.mark()
    const quietSelf = selfCpuMark()
    await sleep(config.idleWindowS * 1000)
    const quiet = loadCpu(server.sampler, quietMark, quietSelf)
    const loadWindowUs = { fromUs, toUs: monotonicUs() }
    if (server.exited()) throw new Error(`server exited during the run:\n${server.stderrTail()}`)
    const heartbeats = (config.idleWindowS * 1000) / heartbeatMs
    return {
      startMs: Math.round(server.startMs),
      idleRssMb: round(idleRssMb),
      connections: count,
      sourceAddresses: sourceAddressCount(count, config.connectionsPerAddress),
      connectS: round(connectS, 2),
      connectsPerSec: Math.round(count / connectS),
      connectCpuUs: round((connectCpu.cpuSeconds * 1e6) / count, 1),
      rssBeforeMb: round(rssBeforeMb),
      rssAfterMb: round(rssAfterMb),
      bytesPerConnection: Math.round(((rssAfterMb - rssBeforeMb) * 2 ** 20) / count),
      heartbeatMs,
      quietWindowS: config.idleWindowS,
      quietCpuPercent: round(quiet.cpuPercent, 2),
      cpuUsPerConnectionPerHeartbeat: round((quiet.cpuSeconds * 1e6) / count / heartbeats, 2),
      droppedInWindow: clients.filter((c) => c.closed).length,
      // The per-unit figure here is a connect: an idle server handles no messages.
      server: serverUsage(server.sampler, connectCpu, cpuPerMessage(connectCpu.cpuSeconds, count, 'connection opened (handshake → ready)')),
      loadWindowUs,
    }
  } finally {
    for (const client of clients) client.socket.destroy()
  }
}
