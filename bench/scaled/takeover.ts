/**
 * @module Scenario "takeover": an API process, a relay and two workers; sends at a fixed rate the
 * workers keep up with; one worker is SIGKILLed part-way. The events it held unacknowledged stall
 * their partitions until the ack wait ends and the other worker gets them: the worst accept → routed
 * delay around the kill is the take-over time. "Routed" is what the recipient sees: the message's
 * `message.created` frame on its live WebSocket (connected before the first send), stamped on
 * arrival. Then: every accepted message delivered (none lost, by message id), no message id twice on
 * the socket, every conversation's frames in seq order, no event id twice in the stream.
 */
import { percentiles, round, type Percentiles } from '../stats.js'
import type { Deployment } from './cluster.js'
import { CpuWindow, type CpuFigures } from './cpu-window.js'
import { watchDelivered } from './delivered-watch.js'
import { senderToRecipient } from './fixtures.js'
import { pacedSend, type SentMessage } from '../paced-sender.js'
import { pollUntil } from '../poll.js'
import { checkStreamIds, type StreamCheck } from './stream-check.js'

export interface TakeoverSettings {
  readonly rate: number
  readonly durationS: number
  readonly killAfterS: number
  readonly conversations: number
  readonly ackWaitMs: number
  readonly warmupS: number
}

/** One second of the run, relative to the kill. */
export interface TakeoverSecond {
  /** Seconds from the kill (0 = the second the kill happened in). */
  readonly second: number
  readonly accepted: number
  /** Worst accept → routed delay of the messages accepted in this second, ms. */
  readonly maxDelayMs: number
}

export interface TakeoverResult extends TakeoverSettings {
  readonly sent: number
  readonly accepted: number
  readonly notAccepted: number
  /** Accept → routed of messages accepted well before the kill: the normal pace. */
  readonly beforeKill: Percentiles
  /** The same for messages accepted from 1 s before the kill to ack wait + 2 s after it. */
  readonly aroundKill: Percentiles
  /** The worst delay, and when its message was accepted relative to the kill (ms). */
  readonly takeoverMs: number
  readonly worstAcceptedAtMs: number
  readonly afterRecovery: Percentiles
  readonly timeline: readonly TakeoverSecond[]
  readonly killedExit: number | string | null
  /** Messages accepted during the unmeasured warm-up (they are in `routedAtEnd` too). */
  readonly warmupAccepted: number
  /** Distinct messages delivered live to the recipient's socket by the end. */
  readonly routedAtEnd: number
  /** Accepted messages (warm-up included) whose frame never reached the socket: must be 0. */
  readonly lost: number
  /** Frames for a message id already received: must be 0. */
  readonly duplicates: number
  /** Frames whose seq was not the one after their conversation's previous frame: must be 0. */
  readonly outOfOrder: number
  /** `message.created` frames replayed when the socket connected (not counted; expected 0). */
  readonly replayed: number
  /** Why the recipient's socket closed during the run, if it did. */
  readonly socketClosed?: string | undefined
  readonly deadLetters: number
  readonly stream: StreamCheck | { readonly skipped: string }
  readonly cpu: CpuFigures
}

const finite = (values: readonly number[]) => values.filter((v) => Number.isFinite(v))

export async function measureTakeover(d: Deployment, settings: TakeoverSettings, natsUrl: string): Promise<TakeoverResult> {
  if (settings.killAfterS >= settings.durationS) throw new Error('BENCH_KILL_AFTER must be less than BENCH_TAKEOVER_DURATION')
  const [, workers, [api]] = await Promise.all([d.start('relay'), d.start('worker', 2), d.start('api')])
  const fixture = await senderToRecipient(api!.url, settings.conversations)
  // Connected before the first send: every message reaches it live, through a worker's fan-out.
  const watch = await watchDelivered(api!.url, fixture.recipient.token)
  let killAt = Number.NaN
  const victim = workers[0]!
  try {
    // Unmeasured warm-up at the same rate: JIT, pools and consumers' first fetches would otherwise
    // make the seconds before the kill look worse than steady state.
    const warmed = settings.warmupS > 0 ? (await pacedSend({ url: api!.url, conversations: fixture.conversations, rate: settings.rate, durationS: settings.warmupS }).done).messages : []
    const warmAccepted = warmed.filter((m) => m.status === 202)
    const window = new CpuWindow(d.processes).start()
    const sending = pacedSend({ url: api!.url, conversations: fixture.conversations, rate: settings.rate, durationS: settings.durationS })
    const killer = setTimeout(() => {
      killAt = performance.now()
      victim.kill('SIGKILL')
    }, settings.killAfterS * 1000)
    const sent = await sending.done
    clearTimeout(killer)
    const cpu = window.stop()
    const accepted = sent.messages.filter((m) => m.status === 202)
    // The warm-up's messages must arrive too.
    const expected = [...warmAccepted, ...accepted]
    const missing = () => expected.filter((m) => watch.deliveredAt(m.id) === undefined).length
    // A message that never arrives is reported as lost, not as a failed run.
    await pollUntil(
      'every accepted message reached the recipient',
      async () => watch.closed() !== undefined || (watch.delivered() >= expected.length && missing() === 0),
      120_000,
      100,
    ).catch(() => undefined)
    const lost = missing()

    const delay = (m: SentMessage) => (watch.deliveredAt(m.id) ?? Number.NaN) - m.acceptedAt
    const aroundFrom = killAt - 1_000
    const aroundTo = killAt + settings.ackWaitMs + 2_000
    const before = accepted.filter((m) => m.acceptedAt >= sent.messages[0]!.sentAt + 1_000 && m.acceptedAt < aroundFrom)
    const around = accepted.filter((m) => m.acceptedAt >= aroundFrom && m.acceptedAt < aroundTo)
    const after = accepted.filter((m) => m.acceptedAt >= aroundTo)
    const worst = around.reduce<SentMessage | undefined>((w, m) => (w === undefined || delay(m) > delay(w) ? m : w), undefined)

    const seconds = new Map<number, { accepted: number; maxDelayMs: number }>()
    for (const m of accepted) {
      const second = Math.floor((m.acceptedAt - killAt) / 1000)
      const entry = seconds.get(second) ?? { accepted: 0, maxDelayMs: 0 }
      entry.accepted++
      entry.maxDelayMs = Math.max(entry.maxDelayMs, delay(m) || 0)
      seconds.set(second, entry)
    }
    // Reading the stream back costs about a second per 10,000 events; it proves the relay's dedup.
    const stream = await checkStreamIds(natsUrl, d.stream).catch((error: unknown) => ({ skipped: String(error) }))
    return {
      ...settings,
      sent: sent.messages.length,
      accepted: accepted.length,
      notAccepted: sent.messages.length - accepted.length,
      beforeKill: percentiles(finite(before.map(delay))),
      aroundKill: percentiles(finite(around.map(delay))),
      takeoverMs: worst ? round(delay(worst)) : Number.NaN,
      worstAcceptedAtMs: worst ? round(worst.acceptedAt - killAt) : Number.NaN,
      afterRecovery: percentiles(finite(after.map(delay))),
      timeline: [...seconds.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, entry]) => ({ second, accepted: entry.accepted, maxDelayMs: round(entry.maxDelayMs) })),
      killedExit: await victim.exited,
      warmupAccepted: warmAccepted.length,
      routedAtEnd: watch.delivered(),
      lost,
      duplicates: watch.duplicates(),
      outOfOrder: watch.outOfOrder(),
      replayed: watch.replayed,
      socketClosed: watch.closed(),
      deadLetters: await d.count('SELECT COUNT(*) FROM dead_letters'),
      stream,
      cpu,
    }
  } finally {
    await watch.stop()
  }
}
