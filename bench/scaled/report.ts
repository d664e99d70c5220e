/** @module Writes the scaled bench's results: JSON, Markdown, and scaled-latest.md. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resultsDir } from '../report.js'
import type { Percentiles } from '../stats.js'
import type { AcceptResult } from './accept.js'
import { bottleneckLines, capacityLines, capacityRows, TARGET_PER_SECOND } from './analysis.js'
import type { CpuFigures } from './cpu-window.js'
import type { LatencyResult } from './latency.js'
import type { Outcome } from './outcome.js'
import type { PgActivity } from './pg-waits.js'
import type { RoutingResult } from './routing.js'
import type { TakeoverResult } from './takeover.js'
import type { ScaledReport } from './types.js'

const n = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : '—'

const ms = (p: Percentiles) => `${n(p.p50, 1)} / ${n(p.p90, 1)} / ${n(p.p99, 1)} / ${n(p.max, 1)}`

/** One column per run, one row per process: where the cores went, % of one core. */
function cpuTable(columns: readonly { title: string; cpu: CpuFigures }[]): string[] {
  if (columns.length === 0) return []
  const labels: string[] = []
  for (const { cpu } of columns) for (const s of cpu.shares) if (!labels.includes(s.label)) labels.push(s.label)
  const cell = (cpu: CpuFigures, label: string) => {
    const share = cpu.shares.find((s) => s.label === label)
    return share ? n(share.cpuPercent) : ''
  }
  return [
    `| CPU, % of one core | ${columns.map((c) => c.title).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    ...labels.map((label) => `| ${label} | ${columns.map((c) => cell(c.cpu, label)).join(' | ')} |`),
    `| **machine busy** (of ${columns[0]!.cpu.cores * 100}) | ${columns.map((c) => `**${n(c.cpu.machineBusyPercent)}**`).join(' | ')} |`,
    '',
    ...loopWaiting(columns),
  ]
}

function pgLines(runs: readonly { title: string; pg: PgActivity }[]): string[] {
  if (runs.length === 0) return []
  return [
    'PostgreSQL backends serving this deployment, sampled every 100 ms (average number in each state; idle connections left out):',
    '',
    ...runs.map((r) => `- ${r.title}: ${r.pg.states.slice(0, 5).map((st) => `${st.state} ${n(st.backends, 2)}`).join('; ') || 'none active'}`),
    '',
  ]
}

function backgroundLine(outcomes: readonly Outcome<unknown>[]): string[] {
  const known = outcomes.filter((o) => o.backgroundBusyPercent !== undefined)
  if (known.length === 0) return []
  return [`Machine busy just before each run, nothing of it started yet (others' load): ${known.map((o) => `${o.name} ${n(o.backgroundBusyPercent!)} %`).join('; ')}.`, '']
}

/** The Chat4All processes' event-loop threads: % of the window spent runnable but without a core. */
function loopWaiting(columns: readonly { title: string; cpu: CpuFigures }[]): string[] {
  const parts = columns.map((c) => {
    const waits = c.cpu.shares.filter((s) => s.loopWaitingPercent !== undefined).map((s) => `${s.label} ${n(s.loopWaitingPercent!)}`)
    return waits.length ? `${columns.length > 1 ? `${c.title}: ` : ''}${waits.join(', ')}` : ''
  })
  if (parts.every((p) => p === '')) return []
  return [`Event-loop thread waiting for a core, % of wall time: ${parts.filter(Boolean).join('; ')}.`, '']
}

function failures(outcomes: readonly Outcome<unknown>[]): string[] {
  return outcomes.flatMap((o) => (o.error ? [`**${o.name} failed:**`, '', '```', o.error.split('\n').slice(0, 12).join('\n'), '```', ''] : []))
}

function acceptSection(outcomes: readonly Outcome<AcceptResult>[]): string[] {
  const runs = outcomes.flatMap((o) => (o.value ? [o.value] : []))
  const statuses = (r: AcceptResult) =>
    [...Object.entries(r.otherStatuses).map(([s, c]) => `${s}×${n(c)}`), ...(r.errors ? [`errors×${n(r.errors)}`] : [])].join(', ') || 'none'
  return [
    '## 1. Accepted msg/s (closed loop), 1 relay + 2 workers running',
    '',
    '| API processes | connections | **accepted msg/s** | per API process | closed-loop p50 / p99 ms | non-202 | delivered live meanwhile msg/s | duplicate frames | outbox at end | PostgreSQL commits per message |',
    '| ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.apiProcesses} | ${r.connections} | **${n(r.acceptedPerSec)}** | ${r.perApi.map((p) => `${p.label}: ${n(p.acceptedPerSec)}`).join(', ')} | ${r.perApi.map((p) => `${n(p.p50Ms)} / ${n(p.p99Ms)}`).join(', ')} | ${statuses(r)} | ${n(r.routedPerSec)} | ${n(r.duplicates)} | ${n(r.outboxAtEnd)} | ${n(r.commitsPerMessage, 3)} |`,
    ),
    '',
    ...(runs.length > 0
      ? ['"Delivered live meanwhile" = `message.created` frames that reached the recipient\'s WebSocket (held by api#1, connected before the first send) during the measured window: the workers\' fan-out keeping pace with accepting.', '']
      : []),
    ...cpuTable(runs.map((r) => ({ title: `${r.apiProcesses} API`, cpu: r.cpu }))),
    ...pgLines(runs.map((r) => ({ title: `${r.apiProcesses} API`, pg: r.pg }))),
    ...backgroundLine(outcomes),
    ...failures(outcomes),
  ]
}

function routingSection(outcomes: readonly Outcome<RoutingResult>[]): string[] {
  const runs = outcomes.flatMap((o) => (o.value ? [o.value] : []))
  return [
    '## 2. Routed msg/s: a backlog already in the stream, then k workers',
    '',
    '| workers | backlog | **routed msg/s** | route time s | routed before the clock | slowest worker start s | all groups done s | accepting the backlog s | relay drain after it s | stream events | delivered with no worker | duplicate frames | out of seq order | PostgreSQL commits per message |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.workers} | ${n(r.backlog)} | **${n(r.routedPerSec)}** | ${n(r.routeS, 2)} | ${n(r.routedBeforeClock)} | ${n(r.workerStartS, 2)} | ${n(r.allGroupsDoneS, 2)} | ${n(r.sendS, 2)} | ${n(r.relayDrainS, 2)} | ${n(r.streamEvents)} | ${n(r.deliveredWithoutWorkers)} | ${n(r.duplicates)} | ${n(r.outOfOrder)} | ${n(r.commitsPerMessage, 3)} |`,
    ),
    '',
    '"Routed" = delivered live: the message\'s `message.created` frame reached the recipient\'s WebSocket, connected to the API process before the backlog was sent (so it is live fan-out, not the replay on connect; frames replayed before `ready` are never counted). The path is the workers\' fan-out group, NATS core, the API process, the socket; each frame is stamped on arrival, so the clock stops at the Nth message\'s arrival, not at a poll. The webhook group consumes the same events alongside; "all groups done" is when neither has anything pending. Commits are counted database-wide (pg_stat_database, a statement outside a transaction counts as one) over the routing window.',
    '',
    ...cpuTable(runs.map((r) => ({ title: `${r.workers} worker${r.workers > 1 ? 's' : ''}`, cpu: r.cpu }))),
    ...pgLines(runs.map((r) => ({ title: `${r.workers} worker${r.workers > 1 ? 's' : ''}`, pg: r.pg }))),
    ...backgroundLine(outcomes),
    ...failures(outcomes),
  ]
}

function takeoverSection(outcomes: readonly Outcome<TakeoverResult>[]): string[] {
  const lines = ['## 3. Take-over after a worker SIGKILL', '']
  for (const o of outcomes) {
    const t = o.value
    if (!t) continue
    const stream = 'duplicates' in t.stream ? `${n(t.stream.events)} events, ${n(t.stream.distinctIds)} distinct Nats-Msg-Id → **${n(t.stream.duplicates)} duplicates** (read in ${n(t.stream.ms)} ms)` : `skipped: ${t.stream.skipped}`
    const window = (from: number, to: number) => t.timeline.filter((s) => s.second >= from && s.second <= to)
    lines.push(
      `1 API + 1 relay + 2 workers; ${n(t.rate)} msg/s open loop over ${t.conversations} conversations for ${t.durationS} s after ${t.warmupS} s of unmeasured warm-up; worker#1 SIGKILLed ${t.killAfterS} s in (exit: ${String(t.killedExit)}); ack wait ${n(t.ackWaitMs)} ms. Delay = 202 received → the message's \`message.created\` frame on the recipient's live WebSocket (connected before the first send; every frame stamped on arrival, so exact to the event loop's turn — more exact than the 50 ms table polling this bench used before, which was ±50 ms).`,
      '',
      '| | value |',
      '| --- | --- |',
      `| **take-over: worst accept → routed delay around the kill** | **${n(t.takeoverMs)} ms** (message accepted ${n(t.worstAcceptedAtMs)} ms after the kill) |`,
      `| delay before the kill, p50 / p90 / p99 / max | ${ms(t.beforeKill)} ms |`,
      `| delay from 1 s before to ack wait + 2 s after the kill, p50 / p90 / p99 / max | ${ms(t.aroundKill)} ms |`,
      `| delay after that, p50 / p90 / p99 / max | ${ms(t.afterRecovery)} ms |`,
      `| sent / accepted (measured part) | ${n(t.sent)} / ${n(t.accepted)} |`,
      `| delivered live at the end (distinct messages on the recipient's socket) | ${n(t.routedAtEnd)} of ${n(t.accepted + t.warmupAccepted)} accepted including the ${n(t.warmupAccepted)} of the warm-up → **lost: ${n(t.lost)}** (accepted message ids that never arrived) |`,
      `| frames for a message id already received | **${n(t.duplicates)}** |`,
      `| frames out of seq order in their conversation | ${n(t.outOfOrder)} |`,
      ...(t.replayed > 0 ? [`| message frames replayed on connect (not counted) | ${n(t.replayed)} |`] : []),
      ...(t.socketClosed ? [`| recipient's socket | **${t.socketClosed.replace(/\|/g, '\\|')}** |`] : []),
      `| dead letters | ${n(t.deadLetters)} |`,
      `| stream read back | ${stream} |`,
      '',
      'Per second around the kill (0 = the second it happened in):',
      '',
      '| second | accepted | worst delay of those, ms |',
      '| ---: | ---: | ---: |',
      ...window(-2, Math.ceil(t.ackWaitMs / 1000) + 3).map((s) => `| ${s.second} | ${n(s.accepted)} | ${n(s.maxDelayMs)} |`),
      '',
      ...cpuTable([{ title: 'whole run', cpu: t.cpu }]),
      'The killed worker\'s CPU cannot be read after it died (—).',
      '',
    )
  }
  return [...lines, ...backgroundLine(outcomes), ...failures(outcomes)]
}

function latencySection(outcomes: readonly Outcome<readonly LatencyResult[]>[]): string[] {
  const runs = outcomes.flatMap((o) => o.value ?? [])
  return [
    '## 4. Send → receive latency at a fixed rate',
    '',
    'Open loop; latency = frame on the recipient\'s WebSocket − request leaving the client, per message_id, in ms.',
    '',
    '| shape | rate | achieved msg/s | **p50 / p90 / p99 / max** | accept (202) p50 / p90 / p99 / max | delivered | missing | duplicate frames | sender lag max ms |',
    '| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.shape} | ${n(r.rate)} | ${n(r.achievedRate)} | **${ms(r.delivery)}** | ${ms(r.accept)} | ${n(r.accepted - r.missing)} | ${n(r.missing)} | ${n(r.duplicateFrames)} | ${n(r.maxSendLagMs)} |`,
    ),
    '',
    ...cpuTable(runs.map((r) => ({ title: `${r.shape.startsWith('scaled') ? 'scaled' : 'all-in-one'} ${n(r.rate)}/s`, cpu: r.cpu }))),
    ...backgroundLine(outcomes),
    ...failures(outcomes),
  ]
}

function logSection(report: ScaledReport): string[] {
  const all = [...report.accept, ...report.routing, ...report.takeover, ...report.latency].flatMap((o) => o.logs)
  const noisy = all.filter((l) => l.lines.length > 0)
  if (noisy.length === 0) return ['## Server stderr', '', 'Nothing: no process wrote a warning or an error.', '']
  return [
    '## Server stderr (warnings and errors, grouped)',
    '',
    '| run | process | exit | level | count | message |',
    '| --- | --- | --- | --- | ---: | --- |',
    ...noisy.flatMap((l) => l.lines.slice(0, 8).map((line) => `| ${l.scenario} | ${l.label} | ${String(l.exit)} | ${line.level} | ${n(line.count)} | ${line.msg.replace(/\|/g, '\\|')} |`)),
    '',
  ]
}

export function formatScaledMarkdown(report: ScaledReport): string {
  const m = report.machine
  const s = report.settings
  const capacity = capacityRows(report)
  return [
    `# Chat4All scaled-out bench, ${report.startedAt}`,
    '',
    `- Machine: ${m.cpuModel}, **${m.cores} cores** (shared by every process below, PostgreSQL, NATS and the load generator), ${n(m.totalMemMb)} MB RAM, ${m.os}; load average at start ${m.loadAvgAtStart.join(' ')}`,
    `- Node ${m.node}; PostgreSQL ${report.postgresVersion}; NATS ${report.natsVersion} (JetStream, file storage); code at ${report.git.commit ?? 'unknown commit'}${report.git.dirty ? ' with uncommitted changes' : ''}`,
    `- Each run: \`chat4all serve --role …\` processes on a fresh PostgreSQL schema and NATS namespace (dropped after); ${s.conversations} two-member groups, one sender, one recipient holding a live WebSocket (each message counts once, when its frame reaches it); log level warn`,
    `- Settings: duration ${s.durationS} s (+${s.warmupS} s warm-up), ${s.connections} connections, backlog ${n(s.backlog)}, workers ${s.workerCounts.join('/')}, take-over ${s.takeoverRate} msg/s × ${s.takeoverDurationS} s (kill at ${s.killAfterS} s), latency ${n(s.rate)} msg/s × ${s.latencyDurationS} s`,
    '- CPU figures are % of one core over the measured window (so up to 200 on 2 cores); "everything else" is the machine\'s busy time no listed process accounts for.',
    '',
    ...acceptSection(report.accept),
    ...routingSection(report.routing),
    ...takeoverSection(report.takeover),
    ...latencySection(report.latency),
    '## Where the bottleneck sits',
    '',
    ...bottleneckLines(report).map((l) => `- ${l}`),
    '',
    `## What a 10^7 msg/min deployment needs (${n(TARGET_PER_SECOND)} msg/s)`,
    '',
    '| component | CPU per message, ms | cores at 10^7 msg/min | measured in |',
    '| --- | ---: | ---: | --- |',
    ...capacity.map((r) => `| ${r.component} | ${n(r.cpuMsPerMessage, 3)} | ${n(r.cores, 1)} | ${r.basis} |`),
    '',
    ...capacityLines(report).map((l) => `- ${l}`),
    '',
    ...logSection(report),
  ].join('\n')
}

export function writeScaledReport(report: ScaledReport): { json: string; markdown: string; latest: string; markdownText: string } {
  mkdirSync(resultsDir, { recursive: true })
  const stamp = report.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')
  const json = join(resultsDir, `scaled-${stamp}.json`)
  const markdown = join(resultsDir, `scaled-${stamp}.md`)
  const latest = join(resultsDir, 'scaled-latest.md')
  const text = `${formatScaledMarkdown(report)}\n`
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(markdown, text)
  writeFileSync(latest, text)
  return { json, markdown, latest, markdownText: text }
}
