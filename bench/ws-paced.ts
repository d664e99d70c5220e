/**
 * @module bench/paced-sender.ts over the WebSocket: the same fixed schedule (bench/schedule.ts) and
 * the same per-message records, each message a `send` command on its sender's socket, never waiting
 * for earlier replies (the socket pipelines them).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { benchText } from './fixtures.js'
import { newMessage, type PacedResult, type SentMessage } from './paced-sender.js'
import { fireOnSchedule } from './schedule.js'
import type { PipelinedSender } from './ws-sender.js'

export interface WsLane {
  readonly sender: PipelinedSender
  readonly conversationId: string
}

export async function wsPacedSend(lanes: readonly WsLane[], rate: number, durationS: number, drainTimeoutMs = 30_000): Promise<PacedResult> {
  const total = Math.round(rate * durationS)
  const messages: SentMessage[] = []
  const byId = new Map<string, SentMessage>()
  const replies: Promise<void>[] = []
  let accepted = 0
  let errors = 0
  let maxSendLagMs = 0
  const fire = (i: number, dueAt: number) => {
    const lane = lanes[i % lanes.length]!
    const message = newMessage(lane.conversationId, dueAt)
    maxSendLagMs = Math.max(maxSendLagMs, message.sentAt - dueAt)
    messages.push(message)
    byId.set(message.id, message)
    replies.push(
      lane.sender.send(message.id, lane.conversationId, benchText(i)).then((reply) => {
        message.answeredAt = reply.at
        message.status = reply.status
        if (reply.outcome === 'accepted' || reply.outcome === 'duplicate') {
          message.acceptedAt = reply.at
          message.seq = reply.seq
          accepted++
        } else {
          errors++
        }
      }),
    )
  }
  const start = await fireOnSchedule(total, 1000 / rate, fire)
  await Promise.race([Promise.all(replies), sleep(drainTimeoutMs)])
  return { messages, byId, accepted, errors, maxSendLagMs, elapsedS: (performance.now() - start) / 1000 }
}
