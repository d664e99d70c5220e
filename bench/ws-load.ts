/**
 * @module Closed-loop `send` load over WebSockets: every lane (a socket and the conversation it
 * sends into) keeps `pipeline` sends unanswered and writes the next as each reply comes, for
 * `durationS`; then it waits for the last replies.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { benchText } from './fixtures.js'
import type { WsLane } from './ws-paced.js'

export interface WsLoadResult {
  readonly sent: number
  readonly accepted: number
  /** Accepted replies that came before the load stopped (the rate's numerator). */
  readonly acceptedInWindow: number
  readonly duplicateReplies: number
  readonly errorCodes: Readonly<Record<string, number>>
  /** Sends that had no reply when the drain gave up, or whose socket closed. */
  readonly unanswered: number
  /** message_ids of the `accepted` replies (when collected). */
  readonly acceptedIds: Set<string>
  readonly durationS: number
  /** Accepted replies in each whole second. */
  readonly acceptedEachSecond: readonly number[]
  /** Send written → reply, ms. */
  readonly ackMs: Float64Array
}

export async function wsClosedLoop(lanes: readonly WsLane[], pipeline: number, durationS: number, collectIds: boolean, drainTimeoutMs = 30_000): Promise<WsLoadResult> {
  let sent = 0
  let accepted = 0
  let acceptedInWindow = 0
  let duplicateReplies = 0
  let unanswered = 0
  const errorCodes: Record<string, number> = {}
  const acceptedIds = new Set<string>()
  const perSecond: number[] = []
  const ackMs: number[] = []
  const startedAt = performance.now()
  const stopAt = startedAt + durationS * 1000

  const worker = async (lane: WsLane) => {
    while (performance.now() < stopAt && lane.sender.open) {
      const id = randomUUID()
      const at = performance.now()
      const reply = await lane.sender.send(id, lane.conversationId, benchText(sent++))
      ackMs.push(reply.at - at)
      if (reply.outcome === 'accepted') {
        accepted++
        if (reply.at <= stopAt) acceptedInWindow++
        const second = Math.floor((reply.at - startedAt) / 1000)
        perSecond[second] = (perSecond[second] ?? 0) + 1
        if (collectIds) acceptedIds.add(id)
      } else if (reply.outcome === 'duplicate') duplicateReplies++
      else if (reply.outcome === 'closed') unanswered++
      else errorCodes[reply.code ?? String(reply.status)] = (errorCodes[reply.code ?? String(reply.status)] ?? 0) + 1
    }
  }
  const workers = Promise.all(lanes.flatMap((lane) => Array.from({ length: pipeline }, () => worker(lane))))
  const drained = await Promise.race([workers.then(() => true), sleep(durationS * 1000 + drainTimeoutMs).then(() => false)])
  const durationSActual = Math.min(performance.now(), stopAt) - startedAt
  if (!drained) unanswered += lanes.reduce((sum, lane) => sum + lane.sender.inFlight, 0)
  return {
    sent,
    accepted,
    acceptedInWindow,
    duplicateReplies,
    errorCodes,
    unanswered,
    acceptedIds,
    durationS: durationSActual / 1000,
    acceptedEachSecond: Array.from({ length: Math.floor(durationS) }, (_, i) => perSecond[i] ?? 0),
    ackMs: Float64Array.from(ackMs),
  }
}
