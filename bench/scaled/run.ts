/**
 * `npm run bench:scaled`: the scaled-out shape (`serve --role api|worker|relay` on PostgreSQL and
 * NATS JetStream) measured on this machine — accepted msg/s with 1 and 2 API processes, routed msg/s
 * (delivered live: the message's frame on the recipient's WebSocket) with 1, 2 and 4 workers, the
 * take-over time after a worker SIGKILL, and cross-process send → receive latency. Every measurement runs on a fresh schema and NATS namespace, dropped after.
 * Writes bench/results/scaled-<timestamp>.json|md and scaled-latest.md. Settings: bench/README.md.
 */
import { gitInfo, machineInfo } from '../machine.js'
import { measureAccept, type AcceptResult } from './accept.js'
import { loadScaledConfig } from './config.js'
import { measureAllInOneLatency, measureScaledLatency, type LatencyResult } from './latency.js'
import { summariseLogs } from './log-summary.js'
import { inDeployment, type Outcome } from './outcome.js'
import { backgroundBusy } from './quiet.js'
import { writeScaledReport } from './report.js'
import { measureRouting, type RoutingResult } from './routing.js'
import { measureTakeover, type TakeoverResult } from './takeover.js'
import type { ScaledReport } from './types.js'
import { serverVersions } from './versions.js'

async function allInOne(settings: Parameters<typeof measureAllInOneLatency>[0], quietWaitS: number): Promise<Outcome<LatencyResult[]>> {
  const name = 'latency, all-in-one'
  const backgroundBusyPercent = await backgroundBusy(quietWaitS)
  process.stderr.write(`  ${name} (machine ${backgroundBusyPercent} % busy before it) …\n`)
  try {
    const { results, log } = await measureAllInOneLatency(settings)
    return { name, value: results, backgroundBusyPercent, logs: summariseLogs(name, [log]) }
  } catch (error) {
    return { name, error: error instanceof Error ? (error.stack ?? error.message) : String(error), backgroundBusyPercent, logs: [] }
  }
}

async function main(): Promise<void> {
  const config = loadScaledConfig()
  const where = { postgresUrl: config.postgresUrl, natsUrl: config.natsUrl, quietWaitS: config.quietWaitS }
  const startedAt = new Date().toISOString()
  const machine = machineInfo()
  const versions = await serverVersions(config.postgresUrl, config.natsUrl)
  process.stderr.write(
    `chat4all bench:scaled: ${machine.cores} × ${machine.cpuModel}, PostgreSQL ${versions.postgres}, NATS ${versions.nats}; ${config.scenarios.join(', ')}\n`,
  )
  const accept: Outcome<AcceptResult>[] = []
  const routing: Outcome<RoutingResult>[] = []
  const takeover: Outcome<TakeoverResult>[] = []
  const latency: Outcome<LatencyResult[]>[] = []
  const { conversations } = config

  if (config.scenarios.includes('accept')) {
    for (const apiProcesses of config.apiCounts) {
      const settings = { apiProcesses, workers: 2, conversations, connections: config.connections, durationS: config.durationS, warmupS: config.warmupS }
      accept.push(await inDeployment(`accept, ${apiProcesses} API`, where, (d) => measureAccept(d, settings)))
    }
  }
  if (config.scenarios.includes('routing')) {
    for (const workers of config.workerCounts) {
      const settings = { workers, backlog: config.backlog, conversations }
      routing.push(await inDeployment(`routing, ${workers} worker(s)`, where, (d) => measureRouting(d, settings, config.natsUrl)))
    }
  }
  if (config.scenarios.includes('takeover')) {
    const settings = {
      rate: config.takeoverRate,
      durationS: config.takeoverDurationS,
      killAfterS: config.killAfterS,
      conversations,
      ackWaitMs: config.ackWaitMs,
      warmupS: config.warmupS,
    }
    takeover.push(await inDeployment('take-over after a worker SIGKILL', where, (d) => measureTakeover(d, settings, config.natsUrl)))
  }
  if (config.scenarios.includes('latency')) {
    const target = { rate: config.rate, durationS: config.latencyDurationS }
    const light = { rate: config.lightRate, durationS: config.lightDurationS }
    latency.push(await inDeployment('latency, scaled', where, (d) => measureScaledLatency(d, { phases: [light, target], conversations })))
    if (config.allInOne) latency.push(await allInOne({ phases: [target], conversations }, config.quietWaitS))
  }

  const report: ScaledReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    git: gitInfo(),
    postgresVersion: versions.postgres,
    natsVersion: versions.nats,
    settings: config,
    accept,
    routing,
    takeover,
    latency,
  }
  const files = writeScaledReport(report)
  process.stdout.write(`\n${files.markdownText}\nwrote ${files.json}\n      ${files.markdown}\n      ${files.latest}\n`)
  if ([...accept, ...routing, ...takeover, ...latency].some((o) => o.error !== undefined)) process.exitCode = 1
  // Lost (an accepted message never reached the recipient's socket), doubled (a message id arrived
  // twice), out of order within a conversation, or an event id twice in the stream.
  const takeoverBad = (t: TakeoverResult) =>
    t.lost !== 0 || t.duplicates !== 0 || t.outOfOrder !== 0 || t.socketClosed !== undefined || ('duplicates' in t.stream && t.stream.duplicates !== 0)
  const routingBad = (r: RoutingResult) => r.duplicates !== 0 || r.outOfOrder !== 0 || r.deliveredWithoutWorkers !== 0
  if (takeover.some((o) => o.value && takeoverBad(o.value))) process.exitCode = 1
  if (routing.some((o) => o.value && routingBad(o.value))) process.exitCode = 1
  if (accept.some((o) => o.value && o.value.duplicates !== 0)) process.exitCode = 1
}

await main()
