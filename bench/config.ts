/** @module Bench settings, read once from BENCH_* environment variables. */

export type ScenarioKey = 'a' | 'b' | 'c' | 'd'

export interface BenchConfig {
  /** Seconds of each throughput run (scenarios a and b). */
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
  /** Fixed rate (msg/s) and duration (s) of the latency scenario c. */
  readonly rate: number
  readonly latencyDurationS: number
  /** Messages seeded and page size for the history scenario d, and how many timed passes. */
  readonly historyMessages: number
  readonly pageLimit: number
  readonly pageRuns: number
  /** `full` pages through every stored message and checks each accepted id; `seq` trusts last_seq. */
  readonly verify: 'full' | 'seq'
  /** Run the server under `node --cpu-prof` and summarise the top self-time functions. */
  readonly cpuProf: boolean
  readonly scenarios: readonly ScenarioKey[]
  /** Where the server's fresh data directories go (BENCH_TMPDIR, default the OS temp dir). */
  readonly dataParent: string | undefined
  /** Extra environment for the server child (CHAT4ALL_SQLITE_SYNC from BENCH_SQLITE_SYNC). */
  readonly serverEnv: Readonly<Record<string, string>>
}

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${raw}'`)
  return value
}

function scenarios(): ScenarioKey[] {
  const raw = process.env['BENCH_SCENARIOS'] ?? 'a,b,c,d'
  const keys = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  for (const key of keys) {
    if (!['a', 'b', 'c', 'd'].includes(key)) throw new Error(`BENCH_SCENARIOS: unknown scenario '${key}' (use a,b,c,d)`)
  }
  return keys as ScenarioKey[]
}

export function loadBenchConfig(): BenchConfig {
  const verify = process.env['BENCH_VERIFY'] ?? 'full'
  if (verify !== 'full' && verify !== 'seq') throw new Error(`BENCH_VERIFY must be full or seq, got '${verify}'`)
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
    verify,
    cpuProf: process.env['BENCH_CPU_PROF'] === '1',
    scenarios: scenarios(),
    dataParent: process.env['BENCH_TMPDIR'] || undefined,
    serverEnv,
  }
}
