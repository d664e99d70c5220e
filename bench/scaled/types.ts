/** @module The shape of bench/results/scaled-*.json. */
import type { BenchReport } from '../types.js'
import type { AcceptResult } from './accept.js'
import type { ScaledConfig } from './config.js'
import type { LatencyResult } from './latency.js'
import type { Outcome } from './outcome.js'
import type { RoutingResult } from './routing.js'
import type { TakeoverResult } from './takeover.js'

export interface ScaledReport {
  readonly startedAt: string
  readonly finishedAt: string
  readonly machine: BenchReport['machine']
  readonly git: BenchReport['git']
  /** Server versions, as they report themselves. */
  readonly postgresVersion: string
  readonly natsVersion: string
  readonly settings: ScaledConfig
  readonly accept: readonly Outcome<AcceptResult>[]
  readonly routing: readonly Outcome<RoutingResult>[]
  readonly takeover: readonly Outcome<TakeoverResult>[]
  readonly latency: readonly Outcome<readonly LatencyResult[]>[]
}
