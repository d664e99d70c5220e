/** @module The stream scenarios (e–h): their fixtures, server settings, and how each headline is read. */
import type { BenchConfig } from '../config.js'
import { spread } from '../stats.js'
import type { AnyOutcome, E2eLatencyRun, FanoutRun, IdleRun, WsThroughputRun } from '../types.js'
import { runE2eLatency, seedPairs } from './e2e-latency.js'
import { runFanout, seedGroup } from './fanout.js'
import { onFreshServers } from './fresh.js'
import { runIdle, seedIdleUsers } from './idle.js'
import { runWsThroughput, seedSenders } from './ws-throughput.js'

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

export async function streamScenario(key: 'e' | 'f' | 'g' | 'h', config: BenchConfig): Promise<AnyOutcome> {
  switch (key) {
    case 'e': {
      const done = await onFreshServers<WsThroughputRun, Awaited<ReturnType<typeof seedSenders>>>(
        key,
        config,
        config.runs,
        (server, fixture) => runWsThroughput(server, config, fixture),
        (r) => `${fmt(r.acceptedPerSec)} accepted/s, ${r.server.cpuPerMessage?.us ?? '?'} µs CPU/msg, verification ${r.verification.ok ? 'ok' : 'FAILED'}`,
        { seed: (seeder) => seedSenders(seeder, config.wsSockets) },
      )
      return {
        kind: 'ws-throughput',
        key,
        title: `Durable accepted sends/s over the WebSocket, ${config.wsSockets} sockets × ${config.wsPipeline} pipelined, ${config.durationS} s`,
        short: `ws sends/s, ${config.wsSockets}×${config.wsPipeline}`,
        ...done,
        headline: { ...spread(done.runs.map((r) => r.acceptedPerSec)), unit: 'msg/s', label: 'accepted (`ok`) per second' },
      }
    }
    case 'f': {
      const done = await onFreshServers<E2eLatencyRun, Awaited<ReturnType<typeof seedPairs>>>(
        key,
        config,
        config.runs,
        (server, fixture) => runE2eLatency(server, config, fixture),
        (r) => r.phases.map((p) => `${p.via} @${fmt(p.rate)}/s: p99 ${p.fromDueMs.p99.toFixed(1)} ms, ${fmt(p.delivered)}/${fmt(p.scheduled)} delivered`).join('; '),
        { seed: (seeder) => seedPairs(seeder, config.e2ePairs) },
      )
      const first = (r: E2eLatencyRun) => r.phases[0]?.fromDueMs.p99 ?? Number.NaN
      return {
        kind: 'e2e-latency',
        key,
        title: `Send → receive latency, ${config.e2ePairs} pairs, open loop at ${config.e2eRates.map(fmt).join(' and ')} msg/s for ${config.latencyDurationS} s, sent via ${config.e2eVia.join(' and ')}`,
        short: `send→receive @ ${config.e2eRates.map(fmt).join('/')}/s`,
        ...done,
        headline: {
          ...spread(done.runs.map(first)),
          unit: 'ms',
          label: `p99 from due to frame, ${config.e2eVia[0]} at ${fmt(config.e2eRates[0] ?? 0)} msg/s`,
        },
      }
    }
    case 'g': {
      const done = await onFreshServers<FanoutRun, Awaited<ReturnType<typeof seedGroup>>>(
        key,
        config,
        config.runs,
        (server, fixture) => runFanout(server, config, fixture),
        (r) => `${fmt(r.deliveriesPerSecond)} deliveries/s to ${fmt(r.members)} members, ${r.server.cpuPerMessage?.us ?? '?'} µs CPU/delivery`,
        { seed: (seeder) => seedGroup(seeder, config.groupMembers), env: { CHAT4ALL_MAX_GROUP_MEMBERS: String(config.groupMembers) } },
      )
      return {
        kind: 'fanout',
        key,
        title: `Fan-out to a ${fmt(config.groupMembers)}-member group, every member connected, ${config.fanoutRounds} × ${fmt(config.fanoutMessages)} messages, closed loop`,
        short: `fan-out ${fmt(config.groupMembers)} members`,
        ...done,
        headline: { ...spread(done.runs.map((r) => r.deliveriesPerSecond)), unit: 'deliveries/s', label: 'messages × members received per second' },
      }
    }
    case 'h': {
      const done = await onFreshServers<IdleRun, Awaited<ReturnType<typeof seedIdleUsers>>>(
        key,
        config,
        config.runs,
        (server, users) => runIdle(server, config, users),
        (r) => `started in ${fmt(r.startMs)} ms, idle RSS ${r.idleRssMb} MB, ${fmt(r.bytesPerConnection)} B per connection over ${fmt(r.connections)}, quiet CPU ${r.quietCpuPercent} %`,
        { seed: (seeder) => seedIdleUsers(seeder, config.idleConnections) },
      )
      return {
        kind: 'idle',
        key,
        title: `Idle footprint: start-up, idle RSS, ${fmt(config.idleConnections)} idle connections, ${config.idleWindowS} s quiet window`,
        short: `idle, ${fmt(config.idleConnections)} conns`,
        ...done,
        headline: { ...spread(done.runs.map((r) => r.bytesPerConnection)), unit: 'B/connection', label: 'RSS growth per idle connection' },
      }
    }
  }
}
