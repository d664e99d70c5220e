/** @module The shapes of bench results, as written to bench/results/*.json. */
import type { MainThreadTime } from './proc-stats.js'
import type { Percentiles, Spread } from './stats.js'

/** Server CPU time over a measured window ÷ the messages counted in it. */
export interface CpuPerMessage {
  readonly us: number
  /** What one unit is: "accepted message", "delivery (message × recipient)", … */
  readonly per: string
  readonly count: number
}

export interface ServerUsage {
  /** Kernel high-water mark of the server's resident memory (VmHWM), MB. */
  readonly peakRssMb: number
  /** Highest VmRSS seen by 200 ms sampling, MB. */
  readonly sampledPeakRssMb: number
  /** Server CPU during the measured load, % of one core (this machine has `cores` of them). */
  readonly cpuPercent: number
  /** Server CPU time during the measured load, s (all its threads). */
  readonly cpuSeconds: number
  /** Server CPU per message counted, µs (what is counted is named in it). */
  readonly cpuPerMessage?: CpuPerMessage | undefined
  /** Load generator (this process) CPU during the measured load, % of one core. */
  readonly clientCpuPercent: number
  /** The server's event-loop thread during the measured load. */
  readonly mainThread?: MainThreadTime | undefined
  /** How long the server stayed busy after the load stopped (outbox relay, router, checkpoints). */
  readonly drainMs?: number | undefined
  readonly drainTimedOut?: boolean | undefined
}

export interface Verification {
  readonly method: 'full' | 'seq'
  /** 202 responses received. */
  readonly accepted: number
  /** Messages the API returns for the conversations (full) or the sum of their last_seq (seq). */
  readonly stored: number
  /** Accepted ids the history does not return (full only): must be 0. */
  readonly missing: number
  /** 202s that repeated an id another 202 already carried (full only): must be 0. */
  readonly duplicates: number
  /** Requests still in flight when the load generator stopped: they may be stored without a 202. */
  readonly unanswered: number
  /** accepted ≤ stored ≤ accepted + unanswered, and nothing accepted is missing. */
  readonly ok: boolean
  readonly ms: number
}

export interface ThroughputRun {
  readonly conversations: number
  readonly connections: number
  readonly pipelining: number
  readonly durationS: number
  readonly sent: number
  readonly accepted: number
  readonly acceptedPerSec: number
  /** 202s in each whole second of the run. */
  readonly acceptedEachSecond: readonly number[]
  /** Responses by status code other than 202. */
  readonly otherStatuses: Readonly<Record<string, number>>
  readonly errors: number
  readonly timeouts: number
  /** Closed-loop latency seen by autocannon (ms): queueing included, not a fixed-rate figure. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number }
  readonly verification: Verification
  readonly server: ServerUsage
  /** The measured load on the monotonic clock (µs), to cut CPU profiles to it. */
  readonly loadWindowUs: { readonly fromUs: number; readonly toUs: number }
}

export interface LatencyRun {
  readonly targetRate: number
  readonly durationS: number
  readonly scheduled: number
  readonly completed: number
  readonly accepted: number
  readonly otherStatuses: Readonly<Record<string, number>>
  readonly errors: number
  readonly achievedRate: number
  /** From the moment each request was due by the schedule (corrects coordinated omission). */
  readonly fromScheduleMs: Percentiles
  /** From the moment each request was actually written. */
  readonly fromSendMs: Percentiles
  /** How late the sender was against its schedule (ms): a busy client shows here. */
  readonly sendLagMs: Percentiles
  readonly server: ServerUsage
  readonly loadWindowUs: { readonly fromUs: number; readonly toUs: number }
}

export interface HistoryRun {
  readonly seeded: number
  readonly seedMs: number
  readonly pageLimit: number
  /** Timed passes over the whole history as the sender (no delivery bookkeeping). */
  readonly passes: readonly { readonly ms: number; readonly pages: number; readonly messages: number }[]
  readonly ms: Spread
  readonly pages: number
  /** One pass as the recipient, the first read: each page also records delivery. */
  readonly recipientFirstReadMs: number
  readonly recipientPages: number
  readonly server: ServerUsage
  /** The timed passes on the monotonic clock (µs). */
  readonly loadWindowUs: { readonly fromUs: number; readonly toUs: number }
}

export type { E2eLatencyRun, E2ePhase, FanoutRun, IdleRun, WsThroughputRun } from './stream-types.js'
import type { E2eLatencyRun, FanoutRun, IdleRun, WsThroughputRun } from './stream-types.js'

export interface ProfileEntry {
  readonly name: string
  readonly where: string
  readonly selfMs: number
  readonly selfPercent: number
  /** The caller that accounts for most of this self time. */
  readonly topCaller: string
}

export interface ProfileSummary {
  readonly file: string
  readonly totalMs: number
  readonly top: readonly ProfileEntry[]
  /** Self time grouped by origin: src/, a package in node_modules, node internals, GC, idle. */
  readonly byOrigin: readonly { readonly origin: string; readonly selfMs: number; readonly selfPercent: number }[]
}

export interface ScenarioOutcome<R> {
  readonly key: string
  readonly title: string
  /** A few words for the stdout table. */
  readonly short: string
  readonly runs: readonly R[]
  /** The headline number's median and spread over the runs. */
  readonly headline: Spread & { readonly unit: string; readonly label: string }
  readonly profiles: readonly ProfileSummary[]
  readonly failures: readonly string[]
}

export type AnyOutcome =
  | ({ readonly kind: 'throughput' } & ScenarioOutcome<ThroughputRun>)
  | ({ readonly kind: 'latency' } & ScenarioOutcome<LatencyRun>)
  | ({ readonly kind: 'history' } & ScenarioOutcome<HistoryRun>)
  | ({ readonly kind: 'ws-throughput' } & ScenarioOutcome<WsThroughputRun>)
  | ({ readonly kind: 'e2e-latency' } & ScenarioOutcome<E2eLatencyRun>)
  | ({ readonly kind: 'fanout' } & ScenarioOutcome<FanoutRun>)
  | ({ readonly kind: 'idle' } & ScenarioOutcome<IdleRun>)

export interface BenchReport {
  readonly startedAt: string
  readonly finishedAt: string
  readonly machine: {
    readonly cpuModel: string
    readonly cores: number
    readonly totalMemMb: number
    readonly node: string
    readonly os: string
    readonly loadAvgAtStart: readonly number[]
  }
  readonly git: { readonly commit: string | null; readonly dirty: boolean }
  readonly settings: Readonly<Record<string, unknown>>
  readonly scenarios: readonly AnyOutcome[]
  /** Highest server VmHWM over every run, MB. */
  readonly serverPeakRssMb: number
  readonly interpretation: readonly string[]
}
