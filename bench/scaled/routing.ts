/**
 * @module Scenario "routing": how fast k worker processes route a backlog to the recipient's live
 * WebSocket. The recipient's socket connects first (so what reaches it is live fan-out, not the
 * replay on connect); then, with no worker running, N messages are accepted and the relay moves them
 * all to the stream (outbox empty); then k workers start, and the clock runs from the moment all k
 * serve until the Nth `message.created` frame reaches the socket. Worker start-up (connections,
 * consumers) is outside the clock; what the first ones delivered while the last was still starting
 * is subtracted.
 */
import { round } from '../stats.js'
import type { Deployment } from './cluster.js'
import { CpuWindow, type CpuFigures } from './cpu-window.js'
import { watchDelivered } from './delivered-watch.js'
import { senderToRecipient } from './fixtures.js'
import { commitCounter } from './pg-commits.js'
import { samplePgActivity, type PgActivity } from './pg-waits.js'
import { burstSend } from '../paced-sender.js'
import { pollUntil } from '../poll.js'
import { watchStream } from './stream-check.js'

export interface RoutingSettings {
  readonly workers: number
  readonly backlog: number
  readonly conversations: number
}

export interface RoutingResult extends RoutingSettings {
  /** Accepting the backlog (64 requests in flight), s. */
  readonly sendS: number
  /** From the last 202 until the outbox was empty, s. */
  readonly relayDrainS: number
  /** Events in the stream once the outbox was empty (messages plus the fixture's own events). */
  readonly streamEvents: number
  /** Messages on the recipient's socket before any worker ran (nothing fans out then): must be 0. */
  readonly deliveredWithoutWorkers: number
  /** Spawn → banner of the slowest worker, s. */
  readonly workerStartS: number
  /** Messages delivered live before the clock started (workers that were up before the last one). */
  readonly routedBeforeClock: number
  /** Clock start → the Nth message's frame on the recipient's socket, s. */
  readonly routeS: number
  readonly routedPerSec: number
  /** Clock start → every consumer group (fan-out, webhooks) has nothing pending, s. */
  readonly allGroupsDoneS: number
  /** Frames for a message id already received, and frames out of seq order in their conversation: both must be 0. */
  readonly duplicates: number
  readonly outOfOrder: number
  /** `message.created` frames replayed when the socket connected (not counted; expected 0). */
  readonly replayed: number
  readonly cpu: CpuFigures
  readonly pg: PgActivity
  /** PostgreSQL commits (database-wide; a statement outside a transaction counts as one) per message routed in the window. */
  readonly commitsPerMessage: number
}

export async function measureRouting(d: Deployment, settings: RoutingSettings, natsUrl: string): Promise<RoutingResult> {
  const [[api]] = await Promise.all([d.start('api'), d.start('relay')])
  const fixture = await senderToRecipient(api!.url, settings.conversations)
  const recipient = await watchDelivered(api!.url, fixture.recipient.token)
  const watch = await watchStream(natsUrl, d.stream).catch(async (error: unknown) => {
    await recipient.stop()
    throw error
  })
  try {
    const { seconds: sendS } = await burstSend(api!.url, fixture.conversations, settings.backlog)
    const sentAt = performance.now()
    await pollUntil('the relay emptied the outbox', async () => (await d.count('SELECT COUNT(*) FROM outbox')) === 0, 120_000)
    const relayDrainS = (performance.now() - sentAt) / 1000
    const streamEvents = await watch.events()
    const deliveredWithoutWorkers = recipient.delivered()

    const spawnAt = performance.now()
    const workers = await d.start('worker', settings.workers)
    const clockAt = Math.max(...workers.map((w) => w.readyAt))
    const window = new CpuWindow(d.processes).start()
    const activity = samplePgActivity(d)
    const commits = await commitCounter(d)
    await recipient.untilDelivered(settings.backlog, `${settings.backlog} messages reached the recipient's socket`, 300_000)
    const cpu = window.stop()
    const pg = await activity.stop()
    const commitCount = await commits.stop()
    // The webhook group consumes the same events alongside the fan-out; report when it is through too.
    await pollUntil(
      'every consumer group is through the backlog',
      async () => Object.values(await watch.pendingByGroup()).every((n) => n === 0),
      120_000,
      100,
    )
    const allDoneAt = performance.now()
    const routedBeforeClock = recipient.deliveredBetween(0, clockAt)
    const routeS = (recipient.nthAt(settings.backlog) - clockAt) / 1000
    return {
      ...settings,
      sendS: round(sendS, 2),
      relayDrainS: round(relayDrainS, 2),
      streamEvents,
      deliveredWithoutWorkers,
      workerStartS: round((clockAt - spawnAt) / 1000, 2),
      routedBeforeClock,
      routeS: round(routeS, 2),
      routedPerSec: round((settings.backlog - routedBeforeClock) / routeS),
      allGroupsDoneS: round((allDoneAt - clockAt) / 1000, 2),
      duplicates: recipient.duplicates(),
      outOfOrder: recipient.outOfOrder(),
      replayed: recipient.replayed,
      cpu,
      pg,
      commitsPerMessage: round(commitCount / (settings.backlog - routedBeforeClock), 3),
    }
  } finally {
    await Promise.all([watch.close(), recipient.stop()])
  }
}
