/**
 * @module Scenario "routing": how fast k worker processes route a backlog. With no worker running,
 * N messages are accepted and the relay moves them all to the stream (outbox empty); then k workers
 * start, and the clock runs from the moment all k serve until the recipient has N receipts. Worker
 * start-up (connections, consumers) is outside the clock; what the first ones routed while the last
 * was still starting is subtracted.
 */
import { round } from '../stats.js'
import type { Deployment } from './cluster.js'
import { CpuWindow, type CpuFigures } from './cpu-window.js'
import { senderToRecipient } from './fixtures.js'
import { commitCounter } from './pg-commits.js'
import { samplePgActivity, type PgActivity } from './pg-waits.js'
import { burstSend } from './paced-sender.js'
import { pollUntil } from './poll.js'
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
  /** Spawn → banner of the slowest worker, s. */
  readonly workerStartS: number
  /** Receipts written before the clock started (workers that were up before the last one). */
  readonly routedBeforeClock: number
  /** Clock start → the Nth receipt, s. */
  readonly routeS: number
  readonly routedPerSec: number
  /** Clock start → every consumer group (router, fan-out, webhooks) has nothing pending, s. */
  readonly allGroupsDoneS: number
  readonly cpu: CpuFigures
  readonly pg: PgActivity
  /** PostgreSQL commits (database-wide) per message routed in the window: smaller batches, more commits. */
  readonly commitsPerMessage: number
}

export async function measureRouting(d: Deployment, settings: RoutingSettings, natsUrl: string): Promise<RoutingResult> {
  const [[api]] = await Promise.all([d.start('api'), d.start('relay')])
  const fixture = await senderToRecipient(api!.url, settings.conversations)
  const { seconds: sendS } = await burstSend(api!.url, fixture.conversations, settings.backlog)
  const sentAt = performance.now()
  await pollUntil('the relay emptied the outbox', async () => (await d.count('SELECT COUNT(*) FROM outbox')) === 0, 120_000)
  const relayDrainS = (performance.now() - sentAt) / 1000
  const watch = await watchStream(natsUrl, d.stream)
  try {
    const streamEvents = await watch.events()
    const routed = () => d.count('SELECT COUNT(*) FROM receipts WHERE member_id = $1', [fixture.recipient.userId])

    const spawnAt = performance.now()
    const workers = await d.start('worker', settings.workers)
    const clockAt = Math.max(...workers.map((w) => w.readyAt))
    const window = new CpuWindow(d.processes).start()
    const activity = samplePgActivity(d)
    const commits = await commitCounter(d)
    const routedBeforeClock = await routed()
    let doneAt = 0
    await pollUntil(
      `${settings.backlog} messages are routed`,
      async () => {
        const done = (await routed()) >= settings.backlog
        if (done) doneAt = performance.now()
        return done
      },
      300_000,
    )
    const cpu = window.stop()
    const pg = await activity.stop()
    const commitCount = await commits.stop()
    // The other groups consume the same events alongside the router; report when they are through too.
    await pollUntil(
      'every consumer group is through the backlog',
      async () => Object.values(await watch.pendingByGroup()).every((n) => n === 0),
      120_000,
      100,
    )
    const allDoneAt = performance.now()
    const routeS = (doneAt - clockAt) / 1000
    return {
      ...settings,
      sendS: round(sendS, 2),
      relayDrainS: round(relayDrainS, 2),
      streamEvents,
      workerStartS: round((clockAt - spawnAt) / 1000, 2),
      routedBeforeClock,
      routeS: round(routeS, 2),
      routedPerSec: round((settings.backlog - routedBeforeClock) / routeS),
      allGroupsDoneS: round((allDoneAt - clockAt) / 1000, 2),
      cpu,
      pg,
      commitsPerMessage: round(commitCount / (settings.backlog - routedBeforeClock), 3),
    }
  } finally {
    await watch.close()
  }
}
