/** @module The scenarios, each run on its own fresh server, and how each one's headline is read. */
import type { BenchConfig, ScenarioKey } from '../config.js'
import { spread } from '../stats.js'
import type { AnyOutcome, HistoryRun, LatencyRun, ThroughputRun } from '../types.js'
import { runHistory } from './history.js'
import { runLatency } from './latency.js'
import { runThroughput } from './throughput.js'
import { streamScenario } from './stream-index.js'
import { onFreshServers } from './fresh.js'

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

export async function runScenario(key: ScenarioKey, config: BenchConfig): Promise<AnyOutcome> {
  switch (key) {
    case 'e':
    case 'f':
    case 'g':
    case 'h':
      return streamScenario(key, config)
    case 'a':
    case 'b': {
      const conversations = key === 'a' ? 1 : config.conversations
      const done = await onFreshServers<ThroughputRun>(
        key,
        config,
        config.runs,
        (server) => runThroughput(server, config, conversations),
        (r) => `${fmt(r.acceptedPerSec)} accepted/s, verification ${r.verification.ok ? 'ok' : 'FAILED'}`,
      )
      return {
        kind: 'throughput',
        key,
        title: `Durable accepted sends/s, ${fmt(conversations)} conversation${conversations > 1 ? 's' : ''}, ${config.durationS} s, ${config.connections} connections`,
        short: `sends/s, ${fmt(conversations)} conv`,
        ...done,
        headline: { ...spread(done.runs.map((r) => r.acceptedPerSec)), unit: 'msg/s', label: 'accepted (202) per second' },
      }
    }
    case 'c': {
      const done = await onFreshServers<LatencyRun>(
        key,
        config,
        config.runs,
        (server) => runLatency(server, config),
        (r) => `p50 ${r.fromScheduleMs.p50} ms, p99 ${r.fromScheduleMs.p99} ms at ${fmt(r.achievedRate)} msg/s`,
      )
      return {
        kind: 'latency',
        key,
        title: `Accept latency at a fixed ${fmt(config.rate)} msg/s for ${config.latencyDurationS} s (open loop)`,
        short: `latency @ ${fmt(config.rate)}/s`,
        ...done,
        headline: { ...spread(done.runs.map((r) => r.fromScheduleMs.p99)), unit: 'ms', label: 'p99 accept latency' },
      }
    }
    case 'd': {
      const done = await onFreshServers<HistoryRun>(
        key,
        config,
        1,
        (server) => runHistory(server, config),
        (r) => `${r.pages} pages in ${r.ms.median} ms (median of ${r.ms.n})`,
      )
      return {
        kind: 'history',
        key,
        title: `Paging a ${fmt(config.historyMessages)}-message history, limit ${config.pageLimit}`,
        short: `page ${fmt(config.historyMessages)} msgs`,
        ...done,
        headline: { ...spread(done.runs.flatMap((r) => r.passes.map((p) => p.ms))), unit: 'ms', label: 'whole history' },
      }
    }
  }
}
