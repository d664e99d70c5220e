/**
 * @module Scenario "takeover": an API process, a relay and two workers; sends at a fixed rate the
 * workers keep up with; one worker is SIGKILLed part-way. The events it held unacknowledged stall
 * their partitions until the ack wait ends and the other worker gets them: the worst accept → routed
 * delay around the kill is the take-over time. Then: every accepted message routed (none lost), no
 * receipt twice (receipts are keyed, so count equality is the proof), no event id twice in the stream.
 */
import { percentiles, round, type Percentiles } from '../stats.js'
import type { Deployment } from './cluster.js'
import { CpuWindow, type CpuFigures } from './cpu-window.js'
import { senderToRecipient } from './fixtures.js'
import { pacedSend, type SentMessage } from './paced-sender.js'
import { pollUntil } from './poll.js'
import { watchRouted } from './routed-watch.js'
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
  /** Messages accepted during the unmeasured warm-up (their receipts are in `routedAtEnd` too). */
  readonly warmupAccepted: number
  readonly routedAtEnd: number
  readonly lost: number
  readonly pollGaps: number
  readonly deadLetters: number
  readonly stream: StreamCheck | { readonly skipped: string }
  readonly cpu: CpuFigures
}

const finite = (values: readonly number[]) => values.filter((v) => Number.isFinite(v))

export async function measureTakeover(d: Deployment, settings: TakeoverSettings, natsUrl: string): Promise<TakeoverResult> {
  if (settings.killAfterS >= settings.durationS) throw new Error('BENCH_KILL_AFTER must be less than BENCH_TAKEOVER_DURATION')
  const [, workers, [api]] = await Promise.all([d.start('relay'), d.start('worker', 2), d.start('api')])
  const fixture = await senderToRecipient(api!.url, settings.conversations)
  // Unmeasured warm-up at the same rate: JIT, pools and consumers' first fetches would otherwise
  // make the seconds before the kill look worse than steady state.
  const warm = settings.warmupS > 0 ? (await pacedSend({ url: api!.url, conversations: fixture.conversations, rate: settings.rate, durationS: settings.warmupS }).done).accepted : 0
  const watch = watchRouted(d, fixture.recipient.userId)
  let killAt = Number.NaN
  const victim = workers[0]!
  try {
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
    // Receipts count the warm-up's messages too.
    const expected = warm + accepted.length
    await pollUntil('every accepted message is routed', async () => watch.routed() >= expected, 120_000, 100)
    await watch.stop()
    const routedAtEnd = await d.count('SELECT COUNT(*) FROM receipts WHERE member_id = $1', [fixture.recipient.userId])

    const delay = (m: SentMessage) => (watch.routedAt(m.conversationId, m.seq) ?? Number.NaN) - m.acceptedAt
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
      warmupAccepted: warm,
      routedAtEnd,
      lost: expected - routedAtEnd,
      pollGaps: watch.gaps(),
      deadLetters: await d.count('SELECT COUNT(*) FROM dead_letters'),
      stream,
      cpu,
    }
  } finally {
    await watch.stop()
  }
}
