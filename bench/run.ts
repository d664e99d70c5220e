/**
 * `npm run bench`: starts the all-in-one server as a child process for each run and measures
 * durable accepted sends (1 and 1,000 conversations, REST and WebSocket), accept latency and send →
 * receive latency at fixed rates, history paging, group fan-out and the idle footprint. Results go to bench/results/. Settings: BENCH_* variables, see bench/config.ts.
 */
import { loadBenchConfig } from './config.js'
import { interpret } from './interpret.js'
import { gitInfo, machineInfo } from './machine.js'
import { formatTable, writeReport } from './report.js'
import { runScenario } from './scenarios/index.js'
import type { AnyOutcome, BenchReport } from './types.js'

async function main(): Promise<void> {
  const config = loadBenchConfig()
  const startedAt = new Date().toISOString()
  const machine = machineInfo()
  const git = gitInfo()
  process.stderr.write(`chat4all bench: ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}, commit ${git.commit ?? '?'}${git.dirty ? '+dirty' : ''}\n`)

  const scenarios: AnyOutcome[] = []
  for (const key of config.scenarios) scenarios.push(await runScenario(key, config))

  const peaks = scenarios.flatMap((s) => s.runs.map((r) => r.server.peakRssMb))
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    git,
    settings: {
      db: `sqlite (synchronous=${config.serverEnv['CHAT4ALL_SQLITE_SYNC'] ?? 'normal'})`,
      dataDir: config.dataParent ?? 'OS temp dir',
      durationS: config.durationS,
      warmupS: config.warmupS,
      runs: config.runs,
      connections: config.connections,
      pipelining: config.pipelining,
      conversations: config.conversations,
      users: config.users,
      rate: config.rate,
      latencyDurationS: config.latencyDurationS,
      historyMessages: config.historyMessages,
      pageLimit: config.pageLimit,
      pageRuns: config.pageRuns,
      wsSockets: config.wsSockets,
      wsPipeline: config.wsPipeline,
      e2eRates: config.e2eRates.join(','),
      e2ePairs: config.e2ePairs,
      e2eVia: config.e2eVia.join(','),
      groupMembers: config.groupMembers,
      fanoutMessages: config.fanoutMessages,
      fanoutRounds: config.fanoutRounds,
      idleConnections: config.idleConnections,
      connectionsPerAddress: config.connectionsPerAddress,
      idleWindowS: config.idleWindowS,
      settleS: config.settleS,
      server: config.serverEntry === 'dist' ? 'node dist/main.js (compiled build)' : 'node --import tsx src/main.ts',
      verify: config.verify,
      cpuProf: config.cpuProf,
      scenarios: config.scenarios.join(','),
    },
    scenarios,
    serverPeakRssMb: peaks.length ? Math.max(...peaks) : Number.NaN,
    interpretation: interpret(scenarios, machine),
  }
  const files = writeReport(report)
  process.stdout.write(`\n${formatTable(report)}\n\nwrote ${files.json}\n      ${files.markdown}\n      ${files.latest}\n`)
  if (scenarios.some((s) => s.failures.length > 0 || ((s.kind === 'throughput' || s.kind === 'ws-throughput') && s.runs.some((r) => !r.verification.ok)))) {
    process.exitCode = 1
  }
}

await main()
