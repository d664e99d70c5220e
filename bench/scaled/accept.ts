/**
 * @module Scenario "accept": accepted (202) sends per second with 1 or 2 API processes, a relay and
 * two workers running. Closed loop (autocannon) over N conversations; with several API processes the
 * connections are split across their URLs and the 202s summed. CPU per process shows where the
 * cores went, and the messages delivered live meanwhile — `message.created` frames on the
 * recipient's WebSocket, connected to the first API process before any send — show whether the
 * workers' fan-out kept pace.
 */
import { sendLoad, type SendLoadResult } from '../load.js'
import { round } from '../stats.js'
import type { Deployment } from './cluster.js'
import { CpuWindow, type CpuFigures } from './cpu-window.js'
import { watchDelivered } from './delivered-watch.js'
import { senderToRecipient } from './fixtures.js'
import { commitCounter } from './pg-commits.js'
import { samplePgActivity, type PgActivity } from './pg-waits.js'

export interface AcceptSettings {
  readonly apiProcesses: number
  readonly workers: number
  readonly conversations: number
  readonly connections: number
  readonly durationS: number
  readonly warmupS: number
}

export interface AcceptResult extends AcceptSettings {
  readonly accepted: number
  readonly acceptedPerSec: number
  readonly perApi: readonly { readonly label: string; readonly connections: number; readonly accepted: number; readonly acceptedPerSec: number; readonly p50Ms: number; readonly p99Ms: number }[]
  /** Responses other than 202 (all API processes), and socket errors / timeouts. */
  readonly otherStatuses: Readonly<Record<string, number>>
  readonly errors: number
  /** Messages delivered live to the recipient's socket during the window, per second: the fan-out's pace while accepting. */
  readonly routedPerSec: number
  /** Frames for a message id already received on the recipient's socket (whole run): must be 0. */
  readonly duplicates: number
  /** Events still in the outbox when the load stopped (the relay's lag). */
  readonly outboxAtEnd: number
  readonly cpu: CpuFigures
  readonly pg: PgActivity
  /** PostgreSQL commits (database-wide, accepting and routing) per accepted message. */
  readonly commitsPerMessage: number
}

export async function measureAccept(d: Deployment, settings: AcceptSettings): Promise<AcceptResult> {
  // Relay and workers first: they create the stream and its consumers.
  await Promise.all([d.start('relay'), d.start('worker', settings.workers)])
  const apis = await d.start('api', settings.apiProcesses)
  const fixture = await senderToRecipient(apis[0]!.url, settings.conversations)
  const share = (i: number) => Math.floor(settings.connections / apis.length) + (i < settings.connections % apis.length ? 1 : 0)
  // Each API process's load starts at a different conversation: in step, the generators would send
  // into the same conversations at once and measure contention for their seq lock instead.
  const rotated = (i: number) => {
    const k = Math.floor((i * fixture.conversations.length) / apis.length)
    return [...fixture.conversations.slice(k), ...fixture.conversations.slice(0, k)]
  }
  const load = (durationS: number) =>
    Promise.all(
      apis.map((api, i) => sendLoad({ url: api.url, conversations: rotated(i), connections: share(i), pipelining: 1, durationS, collectIds: false })),
    )
  // Connected before any send: what it receives is live fan-out, never the replay on connect.
  const recipient = await watchDelivered(apis[0]!.url, fixture.recipient.token)
  try {
    if (settings.warmupS > 0) await load(settings.warmupS)
    const window = new CpuWindow(d.processes).start()
    const activity = samplePgActivity(d)
    const commits = await commitCounter(d)
    const from = performance.now()
    const runs: SendLoadResult[] = await load(settings.durationS)
    const to = performance.now()
    const cpu = window.stop()
    const pg = await activity.stop()
    const commitCount = await commits.stop()
    const routedDuring = recipient.deliveredBetween(from, to)
    const outboxAtEnd = await d.count('SELECT COUNT(*) FROM outbox')

    const otherStatuses: Record<string, number> = {}
    for (const run of runs) {
      for (const [status, count] of Object.entries(run.statuses)) if (status !== '202') otherStatuses[status] = (otherStatuses[status] ?? 0) + count
    }
    const accepted = runs.reduce((sum, r) => sum + r.accepted, 0)
    return {
      ...settings,
      accepted,
      acceptedPerSec: round(accepted / cpu.wallS),
      perApi: runs.map((run, i) => ({
        label: apis[i]!.label,
        connections: share(i),
        accepted: run.accepted,
        acceptedPerSec: round(run.accepted / run.durationS),
        p50Ms: run.latencyMs.p50,
        p99Ms: run.latencyMs.p99,
      })),
      otherStatuses,
      errors: runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
      routedPerSec: round(routedDuring / ((to - from) / 1000)),
      duplicates: recipient.duplicates(),
      outboxAtEnd,
      cpu,
      pg,
      commitsPerMessage: round(commitCount / Math.max(1, accepted), 3),
    }
  } finally {
    await recipient.stop()
  }
}
