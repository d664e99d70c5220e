/** @module The scenarios, each run on its own fresh server, and how each one's headline is read. */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchConfig, ScenarioKey } from '../config.js'
import { summarizeProfile } from '../profile.js'
import { startServer, type BenchServer } from '../server.js'
import { spread } from '../stats.js'
import type { AnyOutcome, HistoryRun, LatencyRun, ProfileSummary, ThroughputRun } from '../types.js'
import { runHistory } from './history.js'
import { runLatency } from './latency.js'
import { runThroughput } from './throughput.js'

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Measured {
  readonly loadWindowUs: { readonly fromUs: number; readonly toUs: number }
}

/**
 * Runs `measure` on a fresh server `runs` times. A run that fails is retried once on another
 * fresh server; a second failure is recorded, not thrown.
 */
async function onFreshServers<R extends Measured>(
  key: ScenarioKey,
  config: BenchConfig,
  runs: number,
  measure: (server: BenchServer) => Promise<R>,
  describe: (run: R) => string,
): Promise<{ runs: R[]; profiles: ProfileSummary[]; failures: string[] }> {
  const results: R[] = []
  const profiles: ProfileSummary[] = []
  const failures: string[] = []
  const profileDir = config.cpuProf ? join(tmpdir(), `chat4all-bench-prof-${process.pid}`) : undefined
  for (let run = 1; run <= runs; run++) {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const label = `[${key} ${run}/${runs}${attempt > 1 ? ' retry' : ''}]`
      let server: BenchServer | undefined
      try {
        server = await startServer({ env: config.serverEnv, cpuProfDir: profileDir, dataParent: config.dataParent })
        log(`${label} server pid ${server.pid} at ${server.url}`)
        const result = await measure(server)
        const stopped = await server.stop()
        server = undefined
        results.push(result)
        log(`${label} ${describe(result)}`)
        if (stopped.cpuProfile) {
          const summary = summarizeProfile(stopped.cpuProfile, result.loadWindowUs)
          profiles.push(summary)
          log(`${label} CPU profile: ${stopped.cpuProfile}`)
        }
        break
      } catch (error) {
        const message = `${label} failed: ${error instanceof Error ? error.message : String(error)}${server ? `\nserver stderr:\n${server.stderrTail()}` : ''}`
        log(message)
        if (attempt === 2) failures.push(message)
        await server?.stop(5_000).catch(() => undefined)
      }
    }
  }
  return { runs: results, profiles, failures }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

export async function runScenario(key: ScenarioKey, config: BenchConfig): Promise<AnyOutcome> {
  switch (key) {
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
