/** @module One line per finding, written from the numbers so the report reads on its own. */
import { streamLines } from './interpret-stream.js'
import { perMessageText } from './report-format.js'
import { medianRun } from './stats.js'
import type { AnyOutcome, BenchReport } from './types.js'

const n = (value: number) => Math.round(value).toLocaleString('en-US')

function throughputLines(outcome: Extract<AnyOutcome, { kind: 'throughput' }>, cores: number): string[] {
  const lines: string[] = []
  const median = outcome.headline.median
  if (Number.isNaN(median)) return lines
  const run = medianRun(outcome.runs, (r) => r.acceptedPerSec)!
  const { cpuPercent, clientCpuPercent, mainThread } = run.server
  const busy = cpuPercent + clientCpuPercent
  let bound: string
  if (mainThread) {
    const { onCpuPercent: on, waitingForCpuPercent: wait, offCpuPercent: off } = mainThread
    const parts = `event-loop thread on a CPU ${n(on)} %, waiting for one ${n(wait)} %, off-CPU ${n(off)} %`
    if (on >= 70) {
      bound = `the single event-loop thread is the limit (${parts}; SQLite's statements and commits run on that thread; WAL checkpoints run on a worker thread)`
    } else if (on + wait >= 70) {
      bound = `the event-loop thread is short of CPU (${parts}): the ${cores} cores are contended by the load generator and other processes`
    } else {
      bound = `the event-loop thread is often off-CPU (${parts}): blocked on disk, or starved of requests (load generator ${n(clientCpuPercent)} %)`
    }
  } else if (cpuPercent >= 90) {
    bound = 'the server is CPU-bound (its JavaScript runs on one thread)'
  } else {
    bound = busy >= cores * 100 * 0.85 ? `the ${cores} cores are saturated between server and load generator` : 'no CPU is saturated'
  }
  lines.push(
    `${outcome.key}: ${n(median)} durable accepts/s (${n(median * 60)}/min) into ${n(run.conversations)} conversation(s); server ${n(cpuPercent)} % of a core (${perMessageText(run.server)}), load generator ${n(clientCpuPercent)} %: ${bound}.`,
  )
  const failed = outcome.runs.filter((r) => !r.verification.ok)
  lines.push(
    failed.length === 0
      ? `${outcome.key}: accepted means stored — ${
          run.verification.method === 'full'
            ? 'every 202 id was found by paging the history API'
            : 'the stored count (sum of last_seq) covers every 202'
        } (${n(run.verification.stored - run.verification.accepted)} more were stored than acknowledged: of the ${n(run.verification.unanswered)} requests in flight when the load generator stopped).`
      : `${outcome.key}: VERIFICATION FAILED in ${failed.length} run(s): ${failed.map((r) => `${n(r.verification.accepted)} accepted vs ${n(r.verification.stored)} stored, ${r.verification.missing} missing`).join('; ')}.`,
  )
  const errors = outcome.runs.reduce((sum, r) => sum + r.errors + Object.values(r.otherStatuses).reduce((a, b) => a + b, 0), 0)
  if (errors > 0) lines.push(`${outcome.key}: ${n(errors)} requests failed or were refused (see statuses).`)
  const profile = outcome.profiles[0]
  if (profile) {
    const top = profile.top.filter((e) => e.where !== '' || !e.name.startsWith('(')).slice(0, 4)
    lines.push(`${outcome.key}: top self time in the server: ${top.map((e) => `${e.name} ${e.where} ${e.selfPercent} %`).join('; ')}.`)
  }
  return lines
}

export function interpret(scenarios: readonly AnyOutcome[], machine: BenchReport['machine']): string[] {
  const lines: string[] = []
  for (const outcome of scenarios) {
    if (outcome.failures.length > 0) lines.push(`${outcome.key}: ${outcome.failures.length} run(s) failed twice; see failures.`)
    if (outcome.kind === 'throughput') lines.push(...throughputLines(outcome, machine.cores))
    lines.push(...streamLines(outcome))
    if (outcome.kind === 'latency') {
      const run = medianRun(outcome.runs, (r) => r.fromScheduleMs.p99)
      if (run) {
        lines.push(
          `c: at a fixed ${n(run.targetRate)} msg/s (open loop) accepts take p50 ${run.fromScheduleMs.p50} ms, p99 ${run.fromScheduleMs.p99} ms, max ${run.fromScheduleMs.max} ms; the server used ${n(run.server.cpuPercent)} % of a core, ${perMessageText(run.server)}.`,
        )
      }
    }
    if (outcome.kind === 'history') {
      const run = outcome.runs[0]
      if (run) {
        lines.push(
          `d: ${n(run.seeded)} messages page in ${n(run.ms.median)} ms (${run.pages} pages, ${(run.ms.median / run.pages).toFixed(1)} ms/page, ${n((run.seeded / run.ms.median) * 1000)} msg/s read); the recipient's first read, which also records delivery, took ${n(run.recipientFirstReadMs)} ms.`,
        )
      }
    }
  }
  if (machine.cores <= 2) {
    lines.push(`The load generator runs on the same ${machine.cores}-core machine, so every throughput figure is a lower bound for a dedicated server.`)
  }
  return lines
}
