/** @module Bench settings, read once from BENCH_* environment variables. */
import { int, ints, words } from './env.js'
import type { ServerEntry } from './spawn-banner.js'

export const scenarioKeys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const
export type ScenarioKey = (typeof scenarioKeys)[number]

/** How scenario f's sender sends: POST /v1/messages, or the `send` command on its WebSocket. */
export type SendVia = 'rest' | 'ws'

export interface BenchConfig {
  /** Seconds of each throughput run (scenarios a, b and e). */
  readonly durationS: number
  /** Seconds of unmeasured warm-up load before each measured run. */
  readonly warmupS: number
  /** Runs of each scenario (each on a fresh server); the median is reported. */
  readonly runs: number
  readonly connections: number
  readonly pipelining: number
  /** Conversations of scenario b. */
  readonly conversations: number
  /** Registered users that send (tokens differ per request). */
  readonly users: number
  /** Fixed rate (msg/s) and duration (s) of the latency scenario c; the duration is also f's. */
  readonly rate: number
  readonly latencyDurationS: number
  /** Messages seeded and page size for the history scenario d, and how many timed passes. */
  readonly historyMessages: number
  readonly pageLimit: number
  readonly pageRuns: number
  /** e: WebSockets (one sender each) and `send` commands each keeps unanswered. */
  readonly wsSockets: number
  readonly wsPipeline: number
  /** f: offered rates (msg/s, one measurement each), sender → recipient pairs, how A sends. */
  readonly e2eRates: readonly number[]
  readonly e2ePairs: number
  readonly e2eVia: readonly SendVia[]
  /** g: members of the group (all connected) and messages per measured round, rounds per run. */
  readonly groupMembers: number
  readonly fanoutMessages: number
  readonly fanoutRounds: number
  /** h: idle connections, connections per loopback source address, seconds of the quiet window, settle time. */
  readonly idleConnections: number
  readonly connectionsPerAddress: number
  readonly idleWindowS: number
  readonly settleS: number
  /** `full` pages through every stored message and checks each accepted id; `seq` trusts last_seq. */
  readonly verify: 'full' | 'seq'
  /** Run the server under `node --cpu-prof` and summarise the top self-time functions. */
  readonly cpuProf: boolean
  readonly scenarios: readonly ScenarioKey[]
  /** Where the server's fresh data directories go (BENCH_TMPDIR, default the OS temp dir). */
  readonly dataParent: string | undefined
  /** `src` runs src/main.ts through tsx; `dist` the compiled build (BENCH_SERVER). */
  readonly serverEntry: ServerEntry
  /** Extra environment for the server child (CHAT4ALL_SQLITE_SYNC from BENCH_SQLITE_SYNC). */
  readonly serverEnv: Readonly<Record<string, string>>
}

export function loadBenchConfig(): BenchConfig {
  const verify = process.env['BENCH_VERIFY'] ?? 'full'
  if (verify !== 'full' && verify !== 'seq') throw new Error(`BENCH_VERIFY must be full or seq, got '${verify}'`)
  const [serverEntry = 'src'] = words<ServerEntry>('BENCH_SERVER', ['src'], ['src', 'dist'])
  const serverEnv: Record<string, string> = {}
  if (process.env['BENCH_SQLITE_SYNC']) serverEnv['CHAT4ALL_SQLITE_SYNC'] = process.env['BENCH_SQLITE_SYNC']
  return {
    durationS: int('BENCH_DURATION', 30),
    warmupS: int('BENCH_WARMUP', 3, 0),
    runs: int('BENCH_RUNS', 1),
    connections: int('BENCH_CONNECTIONS', 100),
    pipelining: int('BENCH_PIPELINING', 1),
    conversations: int('BENCH_CONVERSATIONS', 1000),
    users: int('BENCH_USERS', 8, 2),
    rate: int('BENCH_RATE', 1000),
    latencyDurationS: int('BENCH_LATENCY_DURATION', 20),
    historyMessages: int('BENCH_HISTORY_MESSAGES', 10_000),
    pageLimit: int('BENCH_PAGE_LIMIT', 200),
    pageRuns: int('BENCH_PAGE_RUNS', 3),
    wsSockets: int('BENCH_WS_SOCKETS', 50),
    // The server keeps up to 1,000 sends of one connection in progress (docs/stream.md).
    wsPipeline: int('BENCH_WS_PIPELINE', 32),
    e2eRates: ints('BENCH_E2E_RATES', [1000, 3000]),
    e2ePairs: int('BENCH_E2E_PAIRS', 10),
    e2eVia: words<SendVia>('BENCH_E2E_VIA', ['rest', 'ws'], ['rest', 'ws']),
    groupMembers: int('BENCH_GROUP_MEMBERS', 1000, 2),
    fanoutMessages: int('BENCH_FANOUT_MESSAGES', 200),
    fanoutRounds: int('BENCH_FANOUT_ROUNDS', 3),
    idleConnections: int('BENCH_IDLE_CONNECTIONS', 10_000),
    // Each source address has about 28,000 ephemeral ports towards one server port.
    connectionsPerAddress: int('BENCH_CONNECTIONS_PER_ADDRESS', 25_000, 100),
    // One heartbeat interval (CHAT4ALL_STREAM_HEARTBEAT_MS, 30 s by default) fits in the window.
    idleWindowS: int('BENCH_IDLE_WINDOW', 35),
    settleS: int('BENCH_SETTLE', 3, 0),
    verify,
    cpuProf: process.env['BENCH_CPU_PROF'] === '1',
    scenarios: words('BENCH_SCENARIOS', scenarioKeys, scenarioKeys),
    dataParent: process.env['BENCH_TMPDIR'] || undefined,
    serverEntry,
    serverEnv,
  }
}
