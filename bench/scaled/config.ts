/** @module `npm run bench:scaled` settings, read once from BENCH_* environment variables. */
import { int, ints, words } from '../env.js'

export const scenarioKeys = ['accept', 'routing', 'takeover', 'latency'] as const
export type ScaledScenario = (typeof scenarioKeys)[number]

export interface ScaledConfig {
  readonly postgresUrl: string
  readonly natsUrl: string
  readonly conversations: number
  /** accept: seconds of measured closed-loop load, unmeasured warm-up before it, connections in all. */
  readonly durationS: number
  readonly warmupS: number
  readonly connections: number
  readonly apiCounts: readonly number[]
  /** routing: messages in the backlog and the worker counts to time it with. */
  readonly backlog: number
  readonly workerCounts: readonly number[]
  /** takeover: open-loop rate, duration, and when the worker is killed (s after the first send). */
  readonly takeoverRate: number
  readonly takeoverDurationS: number
  readonly killAfterS: number
  /** latency: open-loop rate and duration; whether to measure the all-in-one process too. */
  readonly rate: number
  readonly latencyDurationS: number
  /** A light rate measured first on the scaled shape: the path's own latency, without queueing. */
  readonly lightRate: number
  readonly lightDurationS: number
  readonly allInOne: boolean
  /** The ack wait the processes run with (CHAT4ALL_BUS_ACK_WAIT_MS, default 3000): the expected take-over. */
  readonly ackWaitMs: number
  readonly scenarios: readonly ScaledScenario[]
  /** Before each run, wait up to this long for the machine to be quiet (others' load), s. */
  readonly quietWaitS: number
  /** The bus partitions the processes run with (CHAT4ALL_BUS_PARTITIONS, default 64 as in the platform). */
  readonly partitions: number
}

export function loadScaledConfig(): ScaledConfig {
  const scenarios = words('BENCH_SCENARIOS', scenarioKeys, scenarioKeys)
  return {
    postgresUrl: process.env['BENCH_POSTGRES_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
    natsUrl: process.env['BENCH_NATS_URL'] || 'nats://127.0.0.1:4222',
    conversations: int('BENCH_CONVERSATIONS', 100),
    durationS: int('BENCH_DURATION', 15),
    warmupS: int('BENCH_WARMUP', 3, 0),
    connections: int('BENCH_CONNECTIONS', 100, 2),
    apiCounts: ints('BENCH_API_COUNTS', [1, 2]),
    // 20,000 takes ~80 s per worker count on a 2-core machine (accepting it, then routing it).
    backlog: int('BENCH_BACKLOG', 10_000),
    workerCounts: ints('BENCH_WORKER_COUNTS', [1, 2, 4]),
    takeoverRate: int('BENCH_TAKEOVER_RATE', 300),
    takeoverDurationS: int('BENCH_TAKEOVER_DURATION', 20),
    killAfterS: int('BENCH_KILL_AFTER', 8),
    rate: int('BENCH_RATE', 1_000),
    latencyDurationS: int('BENCH_LATENCY_DURATION', 20),
    lightRate: int('BENCH_LIGHT_RATE', 100),
    lightDurationS: int('BENCH_LIGHT_DURATION', 5),
    allInOne: process.env['BENCH_ALL_IN_ONE'] !== '0',
    ackWaitMs: int('CHAT4ALL_BUS_ACK_WAIT_MS', 3_000, 500),
    scenarios,
    quietWaitS: int('BENCH_QUIET_WAIT', 5, 0),
    partitions: int('CHAT4ALL_BUS_PARTITIONS', 64),
  }
}
