/** @module Writes results (JSON + Markdown, latest.md) and the stdout summary table. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mainThreadText, n, perMessageText, verificationText } from './report-format.js'
import { streamMarkdown, streamSummary } from './report-stream.js'
import { medianRun } from './stats.js'
import type { AnyOutcome, BenchReport, ProfileSummary, ServerUsage, ThroughputRun } from './types.js'

export const resultsDir = new URL('./results/', import.meta.url).pathname

function spreadText(outcome: AnyOutcome): string {
  const h = outcome.headline
  return h.n > 1 ? `median of ${h.n}, ${n(h.min, 1)}–${n(h.max, 1)}` : `n=${h.n}`
}

function statusesText(statuses: Readonly<Record<string, number>>, errors: number): string {
  const parts = Object.entries(statuses).map(([status, count]) => `${status}×${n(count)}`)
  if (errors > 0) parts.push(`errors×${n(errors)}`)
  return parts.length ? parts.join(', ') : 'none'
}

function throughputVerification(run: ThroughputRun): string {
  return verificationText(run.verification)
}

interface Row {
  readonly scenario: string
  readonly result: string
  readonly spread: string
  readonly detail: string
  readonly cpu: string
  readonly perMsg: string
  readonly rss: string
}

function summaryRows(report: BenchReport, short = false): Row[] {
  return report.scenarios.map((outcome): Row => {
    const base = { scenario: `${outcome.key}. ${short ? outcome.short : outcome.title}`, spread: spreadText(outcome) }
    const failed = outcome.runs.length === 0
    if (failed) return { ...base, result: 'FAILED', detail: outcome.failures[0]?.split('\n')[0] ?? '', cpu: '—', perMsg: '—', rss: '—' }
    const rss = `${n(Math.max(...outcome.runs.map((r) => r.server.peakRssMb)))} MB`
    const typical = medianRun<{ server: ServerUsage }>(outcome.runs, (r) => r.server.cpuPercent)!
    const cpu = `${n(typical.server.cpuPercent)} % (+${n(typical.server.clientCpuPercent)} % gen)`
    const perMsg = perMessageText(typical.server)
    switch (outcome.kind) {
      case 'ws-throughput':
      case 'e2e-latency':
      case 'fanout':
      case 'idle':
        return { ...base, ...streamSummary(outcome), cpu, perMsg, rss }
      case 'throughput': {
        const run = medianRun(outcome.runs, (r) => r.acceptedPerSec)!
        return {
          ...base,
          result: `${n(outcome.headline.median)} msg/s`,
          detail: `event loop on/wait/off CPU ${mainThreadText(run.server)} %; verify ${throughputVerification(run)}; non-202: ${statusesText(run.otherStatuses, run.errors)}; closed-loop p50/p99 ${run.latencyMs.p50}/${run.latencyMs.p99} ms`,
          cpu,
          perMsg,
          rss,
        }
      }
      case 'latency': {
        const run = medianRun(outcome.runs, (r) => r.fromScheduleMs.p99)!
        const l = run.fromScheduleMs
        return {
          ...base,
          result: `p50 ${n(l.p50, 2)} / p90 ${n(l.p90, 2)} / p99 ${n(l.p99, 2)} / max ${n(l.max, 1)} ms`,
          detail: `${n(run.accepted)}/${n(run.scheduled)} accepted at ${n(run.achievedRate)} msg/s; non-202: ${statusesText(run.otherStatuses, run.errors)}`,
          cpu,
          perMsg,
          rss,
        }
      }
      case 'history': {
        const run = outcome.runs[0]!
        return {
          ...base,
          result: `${n(run.ms.median, 1)} ms, ${run.pages} pages`,
          detail: `passes ${run.passes.map((p) => n(p.ms, 1)).join(' / ')} ms; recipient first read ${n(run.recipientFirstReadMs, 1)} ms; seeded in ${n(run.seedMs)} ms`,
          cpu,
          perMsg,
          rss,
        }
      }
    }
  })
}

export function formatTable(report: BenchReport): string {
  const rows = summaryRows(report, true)
  const header: Row = { scenario: 'scenario', result: 'result', spread: 'spread', cpu: 'server CPU', perMsg: 'server CPU per message', rss: 'peak RSS', detail: 'detail' }
  const cols = ['scenario', 'result', 'spread', 'cpu', 'perMsg', 'rss'] as const
  const widths = cols.map((c) => Math.max(...[header, ...rows].map((r) => r[c].length)))
  const line = (r: Row) => cols.map((c, i) => r[c].padEnd(widths[i]!)).join('  ')
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  ')]
  for (const r of rows) out.push(line(r), `    ${r.detail}`)
  out.push('', `server peak RSS over all runs: ${n(report.serverPeakRssMb)} MB`, '', ...report.interpretation.map((l) => `• ${l}`))
  return out.join('\n')
}

function profileMarkdown(profile: ProfileSummary): string[] {
  return [
    `Profile \`${profile.file}\`, ${n(profile.totalMs)} ms of samples inside the measured load.`,
    'V8 charges time spent inside a native addon to the JavaScript function that called it, so the executor and',
    'transaction closures of src/adapters/store/sqlite.ts (and `exec`: BEGIN IMMEDIATE / COMMIT, including',
    'commit page writes) are mostly time inside SQLite. tsx emits each module on one line: read `:1:col`.',
    '',
    '| self % | self ms | function | where | mostly called from |',
    '| ---: | ---: | --- | --- | --- |',
    ...profile.top.map((e) => `| ${e.selfPercent} | ${n(e.selfMs)} | \`${e.name}\` | ${e.where} | ${e.topCaller} |`),
    '',
    '| origin | self % | self ms |',
    '| --- | ---: | ---: |',
    ...profile.byOrigin.slice(0, 15).map((o) => `| ${o.origin} | ${o.selfPercent} | ${n(o.selfMs)} |`),
    '',
  ]
}

function scenarioMarkdown(outcome: AnyOutcome): string[] {
  const lines = [`## ${outcome.key}. ${outcome.title}`, '']
  lines.push(`Headline: **${n(outcome.headline.median, 2)} ${outcome.headline.unit}** ${outcome.headline.label} (${spreadText(outcome)}).`, '')
  if (outcome.kind === 'throughput') {
    lines.push(
      '| run | accepted/s | sent | 202 | non-202 | closed-loop p50 / p90 / p99 / max ms | server CPU % | main thread on / wait / off % | gen CPU % | peak RSS MB | drain ms | verification |',
      '| ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: | ---: | ---: | --- |',
      ...outcome.runs.map(
        (r, i) =>
          `| ${i + 1} | ${n(r.acceptedPerSec)} | ${n(r.sent)} | ${n(r.accepted)} | ${statusesText(r.otherStatuses, r.errors)} | ${r.latencyMs.p50} / ${r.latencyMs.p90} / ${r.latencyMs.p99} / ${r.latencyMs.max} | ${n(r.server.cpuPercent)} | ${mainThreadText(r.server)} | ${n(r.server.clientCpuPercent)} | ${n(r.server.peakRssMb)} | ${n(r.server.drainMs ?? Number.NaN)}${r.server.drainTimedOut ? ' (timed out)' : ''} | ${throughputVerification(r)} (${r.verification.method}, ${n(r.verification.ms)} ms) |`,
      ),
      '',
      '202s in each whole second of each run:',
      '',
      ...outcome.runs.map((r, i) => `- run ${i + 1}: ${r.acceptedEachSecond.map((v) => n(v)).join(' ')}`),
    )
  }
  if (outcome.kind === 'latency') {
    lines.push(
      '| run | achieved msg/s | 202 / scheduled | non-202 | from schedule p50 / p90 / p99 / p99.9 / max ms | from send p50 / p99 ms | sender lag p99 ms | server CPU % | main thread on / wait / off % | peak RSS MB |',
      '| ---: | ---: | --- | --- | --- | --- | ---: | ---: | --- | ---: |',
      ...outcome.runs.map((r, i) => {
        const s = r.fromScheduleMs
        return `| ${i + 1} | ${n(r.achievedRate)} | ${n(r.accepted)} / ${n(r.scheduled)} | ${statusesText(r.otherStatuses, r.errors)} | ${s.p50} / ${s.p90} / ${s.p99} / ${s.p999} / ${s.max} | ${r.fromSendMs.p50} / ${r.fromSendMs.p99} | ${r.sendLagMs.p99} | ${n(r.server.cpuPercent)} | ${mainThreadText(r.server)} | ${n(r.server.peakRssMb)} |`
      }),
    )
  }
  if (outcome.kind === 'ws-throughput' || outcome.kind === 'e2e-latency' || outcome.kind === 'fanout' || outcome.kind === 'idle') {
    lines.push(...streamMarkdown(outcome))
  }
  if (outcome.kind !== 'e2e-latency') {
    lines.push('', ...outcome.runs.map((r, i) => `Run ${i + 1}: server CPU ${perMessageText(r.server)}; ${n(r.server.cpuSeconds, 2)} s of server CPU during the load itself.`))
  }
  if (outcome.kind === 'history') {
    lines.push(
      '| seeded | seed ms | pages | passes ms (sender) | median ms | ms/page | recipient first read ms | peak RSS MB |',
      '| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
      ...outcome.runs.map(
        (r) =>
          `| ${n(r.seeded)} | ${n(r.seedMs)} | ${r.pages} | ${r.passes.map((p) => n(p.ms, 1)).join(' / ')} | ${n(r.ms.median, 1)} | ${n(r.ms.median / r.pages, 2)} | ${n(r.recipientFirstReadMs, 1)} | ${n(r.server.peakRssMb)} |`,
      ),
    )
  }
  lines.push('')
  for (const failure of outcome.failures) lines.push('```', failure, '```', '')
  for (const profile of outcome.profiles) lines.push(...profileMarkdown(profile))
  return lines
}

export function formatMarkdown(report: BenchReport): string {
  const m = report.machine
  const lines = [
    `# Chat4All bench, ${report.startedAt}`,
    '',
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${n(m.totalMemMb)} MB RAM, ${m.os}; load average at start ${m.loadAvgAtStart.join(' ')}`,
    `- Node ${m.node}; code at ${report.git.commit ?? 'unknown commit'}${report.git.dirty ? ' with uncommitted changes' : ''}`,
    `- Settings: ${Object.entries(report.settings).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}`,
    `- Shape: all-in-one server as a child process (fresh data dir per run), load generator in the bench process on the same machine`,
    `- Server peak RSS over all runs: **${n(report.serverPeakRssMb)} MB**`,
    '',
    '"Server CPU per message": the server process\'s CPU time (all threads) over the measured window ÷ what was counted in it (named in each cell). Unlike msg/s it changes little when other processes take cores, so it compares across noisy runs.',
    '',
    '"Main thread on / wait / off": the server\'s event-loop thread on a CPU, runnable but waiting for one (machine contention), and off-CPU (idle or blocked in a syscall), as % of wall time.',
    '',
    '## Summary',
    '',
    '| scenario | result | spread | server CPU | server CPU per message | peak RSS |',
    '| --- | --- | --- | --- | --- | --- |',
    ...summaryRows(report).map((r) => `| ${r.scenario} | ${r.result} | ${r.spread} | ${r.cpu} | ${r.perMsg} | ${r.rss} |`),
    '',
    '## Interpretation',
    '',
    ...report.interpretation.map((l) => `- ${l}`),
    '',
    ...report.scenarios.flatMap(scenarioMarkdown),
  ]
  return `${lines.join('\n')}\n`
}

export function writeReport(report: BenchReport): { json: string; markdown: string; latest: string } {
  mkdirSync(resultsDir, { recursive: true })
  const stamp = report.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')
  const json = join(resultsDir, `${stamp}.json`)
  const markdown = join(resultsDir, `${stamp}.md`)
  const latest = join(resultsDir, 'latest.md')
  const text = formatMarkdown(report)
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(markdown, text)
  writeFileSync(latest, text)
  return { json, markdown, latest }
}
