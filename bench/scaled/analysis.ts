/**
 * @module What the measured CPU says: which process or role took the cores in each scenario, and a
 * back-of-envelope of what 10^7 msg/min needs, from CPU-time per message per role. Everything is
 * computed from the run's own figures; when a figure is missing, the line says so instead of guessing.
 */
import { round } from '../stats.js'
import type { AcceptResult } from './accept.js'
import { roleCpu, type CpuFigures } from './cpu-window.js'
import type { PgActivity } from './pg-waits.js'
import type { RoutingResult } from './routing.js'
import type { ScaledReport } from './types.js'

export const TARGET_PER_MINUTE = 10_000_000
export const TARGET_PER_SECOND = TARGET_PER_MINUTE / 60

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : '—'

/** Busy cores as a fraction of the machine: at ≥ 0.9 the box itself is the limit. */
function saturation(cpu: CpuFigures): number {
  return cpu.machineBusyPercent / (cpu.cores * 100)
}

function topShares(cpu: CpuFigures, count = 3): string {
  return [...cpu.shares]
    .filter((s) => Number.isFinite(s.cpuPercent))
    .sort((a, b) => b.cpuPercent - a.cpuPercent)
    .slice(0, count)
    .map((s) => `${s.label} ${fmt(s.cpuPercent)} %`)
    .join(', ')
}

/** A Node process at ≥ 90 % of one core: its single event loop is the likely limit. */
function saturatedProcesses(cpu: CpuFigures): string[] {
  return cpu.shares.filter((s) => ['api', 'worker', 'relay', 'all'].includes(s.role) && s.cpuPercent >= 90).map((s) => `${s.label} (${fmt(s.cpuPercent)} %)`)
}

function windowLine(what: string, cpu: CpuFigures): string {
  const busy = `the machine was ${fmt(cpu.machineBusyPercent)} % busy of ${cpu.cores * 100} %`
  const verdict = saturation(cpu) >= 0.9 ? 'CPU-bound: both cores were in use' : 'not CPU-bound overall: cores were left idle'
  const other = roleCpu(cpu, 'other')
  const others = other >= 20 ? `, ${fmt(other)} % of it not this deployment's (other users of the machine, kernel threads)` : ''
  const hot = saturatedProcesses(cpu)
  const loops = hot.length > 0 ? `; at one full core: ${hot.join(', ')}` : ''
  const waits = cpu.shares.flatMap((s) => (s.loopWaitingPercent === undefined ? [] : [s.loopWaitingPercent]))
  const starved =
    waits.length > 0 && Math.max(...waits) >= 10
      ? `; the Chat4All event loops spent up to ${fmt(Math.max(...waits))} % of the time runnable but without a core (starved, not busy)`
      : ''
  return `${what}: ${busy}${others} (${verdict}); biggest shares ${topShares(cpu)}${loops}${starved}.`
}

/** What PostgreSQL's busy connections mostly did, in words. */
function pgVerdict(pg: PgActivity): string {
  const top = pg.states[0]
  if (!top) return ''
  const total = pg.states.reduce((sum, s) => sum + s.backends, 0)
  const share = `${fmt((top.backends / total) * 100)} % of busy-connection samples`
  const locks = pg.states.filter((s) => s.state.startsWith('Lock/')).reduce((sum, s) => sum + s.backends, 0)
  const lockNote =
    locks >= 0.5 && !top.state.startsWith('Lock/')
      ? ` Besides, ${fmt(locks, 1)} backends on average waited for row locks: concurrent accept batches lock the same conversations (SELECT … FOR UPDATE, in id order), and each holds its locks while its process waits for a core.`
      : ''
  if (top.state.startsWith('idle in transaction') || top.state.startsWith('waiting for the client'))
    return ` PostgreSQL mostly waited on the Chat4All processes (${top.state}, ${share}): the Node processes' turn-around between statements — not the database's disk — set the pace.${lockNote}`
  if (top.state.includes('WAL')) return ` PostgreSQL mostly waited on commit flushes (${top.state}, ${share}): the disk's fsync sets the pace.`
  if (top.state.startsWith('Lock/')) return ` PostgreSQL mostly waited on row locks (${top.state}, ${share}): senders contend for the same conversations.`
  return ` PostgreSQL's busy connections were mostly "${top.state}" (${share}).`
}

/** CPU of everything that serves messages (Chat4All processes, PostgreSQL, NATS), % of one core. */
function servingCpu(cpu: CpuFigures): number {
  return ['api', 'worker', 'relay', 'all', 'postgres', 'nats'].reduce((sum, role) => sum + roleCpu(cpu, role), 0)
}

/** The one-line answer: what took the cores, and what a message costs scaled out against all-in-one. */
function headline(report: ScaledReport): string[] {
  const accept = report.accept.find((o) => o.value?.apiProcesses === 1)?.value
  if (!accept) return []
  const cpu = accept.cpu
  const chat4all = roleCpu(cpu, 'api') + roleCpu(cpu, 'worker') + roleCpu(cpu, 'relay')
  const parts = `PostgreSQL ${fmt(roleCpu(cpu, 'postgres'))} %, nats-server ${fmt(roleCpu(cpu, 'nats'))} %, the Chat4All processes ${fmt(chat4all)} % together (API ${fmt(roleCpu(cpu, 'api'))} %)`
  const scaledMs = perMessageMs(servingCpu(cpu), Math.max(accept.acceptedPerSec, accept.routedPerSec))
  const allInOne = report.latency.flatMap((o) => o.value ?? []).find((r) => r.shape.startsWith('all-in-one'))
  const compare = allInOne
    ? ` Per message (accepted, relayed, fanned out, delivered live), the scaled shape spent ≈ ${fmt(scaledMs, 2)} ms of CPU across all its processes; the all-in-one process spent ≈ ${fmt(perMessageMs(servingCpu(allInOne.cpu), allInOne.achievedRate), 2)} ms at ${fmt(allInOne.achievedRate)} msg/s (SQLite in-process, no network hops, no bus).`
    : ''
  const scaledRuns = [
    ...report.accept.flatMap((o) => (o.value ? [o.value.cpu] : [])),
    ...report.routing.flatMap((o) => (o.value ? [o.value.cpu] : [])),
    ...report.takeover.flatMap((o) => (o.value ? [o.value.cpu] : [])),
    ...report.latency.flatMap((o) => o.value ?? []).filter((r) => !r.shape.startsWith('all-in-one')).map((r) => r.cpu),
  ]
  const bound = scaledRuns.filter((c) => saturation(c) >= 0.9).length
  const infra = roleCpu(cpu, 'postgres') + roleCpu(cpu, 'nats')
  const waits = cpu.shares.flatMap((s) => (s.loopWaitingPercent === undefined ? [] : [s.loopWaitingPercent]))
  const meanWait = waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : Number.NaN
  const starved = meanWait >= 50
  return [
    `**In short:** ${fmt(bound)} of ${fmt(scaledRuns.length)} scaled-out measurements ran with the machine's ${cpu.cores} cores ≥ 90 % busy. With one API process accepting ${fmt(accept.acceptedPerSec)} msg/s the cores went to ${parts}. ` +
      `PostgreSQL and NATS took ${infra > chat4all ? 'more' : 'less'} than the Chat4All processes (${fmt(infra)} % against ${fmt(chat4all)} %), and the Chat4All event loops were runnable but without a core ${fmt(meanWait)} % of the time on average` +
      (starved && saturation(cpu) >= 0.9
        ? ', so adding API processes or workers on the same machine cannot raise throughput; more cores or machines can.'
        : '.') +
      compare,
  ]
}

export function bottleneckLines(report: ScaledReport): string[] {
  const lines: string[] = [...headline(report)]
  const accepts = report.accept.flatMap((o) => (o.value ? [o.value] : []))
  for (const a of accepts) lines.push(windowLine(`Accept, ${a.apiProcesses} API process(es), ${fmt(a.acceptedPerSec)} msg/s`, a.cpu) + pgVerdict(a.pg))
  const one = accepts.find((a) => a.apiProcesses === 1)
  const two = accepts.find((a) => a.apiProcesses === 2)
  if (one && two) {
    const gain = two.acceptedPerSec / one.acceptedPerSec
    const api1 = roleCpu(one.cpu, 'api')
    const api2 = roleCpu(two.cpu, 'api')
    lines.push(
      `A second API process changed accepted msg/s by ×${fmt(gain, 2)} (API CPU ${fmt(api1)} % → ${fmt(api2)} %, PostgreSQL ${fmt(roleCpu(one.cpu, 'postgres'))} % → ${fmt(roleCpu(two.cpu, 'postgres'))} %). ` +
        (gain < 1.15
          ? 'It adds no capacity here: the cores it would need are already taken by the other processes on this machine.'
          : 'It adds capacity: the single API process was the limit.') +
        (two.commitsPerMessage > one.commitsPerMessage * 1.2
          ? ` PostgreSQL commits per accepted message went from ${fmt(one.commitsPerMessage, 2)} to ${fmt(two.commitsPerMessage, 2)}: each API process group-commits only its own requests, so two processes make smaller batches.`
          : ''),
    )
  }
  const routes = report.routing.flatMap((o) => (o.value ? [o.value] : []))
  for (const r of routes) lines.push(windowLine(`Routing, ${r.workers} worker(s), ${fmt(r.routedPerSec)} msg/s`, r.cpu) + pgVerdict(r.pg))
  const r1 = routes.find((r) => r.workers === 1)
  const rMax = routes.reduce<RoutingResult | undefined>((best, r) => (best === undefined || r.workers > best.workers ? r : best), undefined)
  if (r1 && rMax && rMax !== r1) {
    lines.push(
      `${rMax.workers} workers routed ×${fmt(rMax.routedPerSec / r1.routedPerSec, 2)} what 1 did. ` +
        (saturation(rMax.cpu) >= 0.9
          ? 'With the cores full, more workers only share the same CPU.'
          : 'Cores were left idle, so the limit is not CPU: each partition has one event in flight per consumer group, so the partition count and the per-event round trip (NATS pull and ack, the members read for addressing, the NATS core publish to the API process) bound it.') +
        (rMax.commitsPerMessage > r1.commitsPerMessage * 1.3
          ? ` PostgreSQL commits per routed message went from ${fmt(r1.commitsPerMessage, 3)} to ${fmt(rMax.commitsPerMessage, 3)} (each store statement outside a transaction counts as one): a worker batches only the events its own lanes hold, so spreading the partitions over more processes makes every batch — and its member read — smaller and every message dearer; nats-server CPU went from ${fmt(roleCpu(r1.cpu, 'nats'))} % to ${fmt(roleCpu(rMax.cpu, 'nats'))} % with more processes pulling the same partitions.`
          : ''),
    )
  }
  for (const r of report.latency.flatMap((o) => o.value ?? [])) {
    const overloaded = r.achievedRate < r.rate * 0.95 ? ` Asked for ${fmt(r.rate)} msg/s, it carried ${fmt(r.achievedRate)}: past its capacity, the latency is mostly queueing.` : ''
    lines.push(windowLine(`Latency run, ${r.shape}, ${fmt(r.rate)} msg/s asked`, r.cpu) + overloaded)
  }
  return lines
}

export interface CapacityRow {
  readonly component: string
  /** CPU time one message costs in this component, ms. */
  readonly cpuMsPerMessage: number
  /** Cores for 10^7 msg/min at that cost. */
  readonly cores: number
  readonly basis: string
}

/** CPU per message of a role, in ms: (% of a core / 100) / (msg/s) × 1000. */
const perMessageMs = (cpuPercent: number, rate: number) => (rate > 0 ? (cpuPercent / 100 / rate) * 1000 : Number.NaN)

/**
 * CPU-ms per message by component. The accept window also routes (the workers run alongside), so
 * PostgreSQL's and NATS's accept-side cost is their CPU there minus the routing cost (from the
 * routing run with one worker) of what was routed meanwhile.
 */
export function capacityRows(report: ScaledReport): CapacityRow[] {
  const accept = report.accept.find((o) => o.value?.apiProcesses === 1)?.value
  const route = report.routing.find((o) => o.value?.workers === 1)?.value
  const rows: CapacityRow[] = []
  const add = (component: string, ms: number, basis: string) =>
    rows.push({ component, cpuMsPerMessage: round(ms, 3), cores: round((TARGET_PER_SECOND * ms) / 1000, 1), basis })
  if (accept) {
    add('API processes', perMessageMs(roleCpu(accept.cpu, 'api'), accept.acceptedPerSec), `accept run, 1 API process: ${fmt(accept.acceptedPerSec)} msg/s`)
    add('relay', perMessageMs(roleCpu(accept.cpu, 'relay'), accept.acceptedPerSec), 'accept run (the relay publishes every accepted message)')
  }
  if (route) add('workers', perMessageMs(roleCpu(route.cpu, 'worker'), route.routedPerSec), `routing run, 1 worker: ${fmt(route.routedPerSec)} msg/s`)
  for (const [role, label] of [
    ['postgres', 'PostgreSQL'],
    ['nats', 'nats-server'],
  ] as const) {
    const routeMs = route ? perMessageMs(roleCpu(route.cpu, role), route.routedPerSec) : Number.NaN
    const acceptMs = accept
      ? perMessageMs(Math.max(0, roleCpu(accept.cpu, role) - (Number.isFinite(routeMs) ? (accept.routedPerSec * routeMs) / 10 : 0)), accept.acceptedPerSec)
      : Number.NaN
    add(`${label} (accept + relay side)`, acceptMs, 'accept run, minus the routing done meanwhile')
    add(`${label} (routing side)`, routeMs, 'routing run, 1 worker')
  }
  return rows
}

export function capacityLines(report: ScaledReport): string[] {
  const rows = capacityRows(report)
  const accept = report.accept.find((o) => o.value?.apiProcesses === 1)?.value
  const route = report.routing.find((o) => o.value?.workers === 1)?.value
  if (!accept || !route) return ['Needs the accept run with 1 API process and the routing run with 1 worker; one of them is missing.']
  const total = rows.reduce((sum, r) => sum + (Number.isFinite(r.cores) ? r.cores : 0), 0)
  const app = rows.filter((r) => ['API processes', 'relay', 'workers'].includes(r.component)).reduce((s, r) => s + r.cores, 0)
  const apiCore = processRateAtOneCore(accept, 'api')
  const workerCore = route.routedPerSec / (roleCpu(route.cpu, 'worker') / 100)
  const partitionsNeeded = partitionsFor(route, report.settings.partitions)
  return [
    `Target: 10^7 msg/min = ${fmt(TARGET_PER_SECOND)} msg/s sustained, each message to one recipient (as measured).`,
    `Per process at one full core (measured rate ÷ its CPU share): an API process ≈ ${fmt(apiCore)} msg/s, a worker ≈ ${fmt(workerCore)} msg/s. ` +
      `So ≈ ${fmt(Math.ceil(TARGET_PER_SECOND / apiCore))} API processes and ≈ ${fmt(Math.ceil(TARGET_PER_SECOND / workerCore))} worker processes, plus the relay's ${fmt(rows.find((r) => r.component === 'relay')?.cores ?? Number.NaN, 1)} cores.`,
    `All components together ≈ ${fmt(total)} cores (${fmt(app)} for Chat4All processes, the rest PostgreSQL and NATS): ≈ ${fmt(Math.ceil(total / 16))} nodes of 16 cores, or ${fmt(Math.ceil(total / 2))} of this machine's size, at 100 % CPU — plan for ~60 % utilisation, i.e. ≈ ${fmt(Math.ceil(total / 16 / 0.6))} 16-core nodes.`,
    `Per 16-core node at ~60 %: ≈ ${fmt(16 * 0.6 * apiCore)} msg/s of accepting if it ran API processes only, or ≈ ${fmt(16 * 0.6 * workerCore)} msg/s of routing if it ran workers only.`,
    `Routing is also bounded by partitions, not only by CPU: a consumer group has at most one event in flight per partition, so (Little's law) routed msg/s ≤ partitions ÷ per-event turn-around. The 1-worker run's ${fmt(route.routedPerSec)} msg/s over ${report.settings.partitions} partitions means a turn-around of at most ${fmt(partitionsNeeded.turnaroundMs, 1)} ms here (CPU-starved); at that, ${fmt(TARGET_PER_SECOND)} msg/s needs ≥ ${fmt(partitionsNeeded.measured)} partitions, and even at a 5 ms turn-around ≥ ${fmt(partitionsNeeded.at5ms)} — CHAT4ALL_BUS_PARTITIONS (default ${report.settings.partitions}) has to grow by that much, with the stream spread over several NATS servers.`,
    'Assumptions: costs scale linearly with processes and nodes; CPU per message measured on this shared 2-core machine includes contention (context switches, cache misses), so a quieter machine needs less; the load generator is not counted.',
    `PostgreSQL and NATS at this volume are not one server each: ${fmt(rows.filter((r) => r.component.startsWith('PostgreSQL')).reduce((s, r) => s + r.cores, 0))} cores of PostgreSQL work (at its WAL and commit rate) means sharding by conversation over several primaries, and the stream over several NATS servers (subjects are partitioned by conversation already). Neither is something this code does today; the figures say how much of each it would take.`,
  ]
}

/** msg/s one process of `role` would do at one full core: the measured rate over its CPU share. */
function processRateAtOneCore(accept: AcceptResult, role: string): number {
  return accept.acceptedPerSec / (roleCpu(accept.cpu, role) / 100)
}

/** Partitions needed for the target: in flight = rate × turn-around, one in flight per partition. */
function partitionsFor(route: RoutingResult, partitions: number): { turnaroundMs: number; measured: number; at5ms: number } {
  const turnaroundS = partitions / route.routedPerSec
  return { turnaroundMs: turnaroundS * 1000, measured: Math.ceil(TARGET_PER_SECOND * turnaroundS), at5ms: Math.ceil(TARGET_PER_SECOND * 0.005) }
}
