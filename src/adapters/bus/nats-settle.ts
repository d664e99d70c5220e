/**
 * @module Settles one batch of JetStream messages by the shared rule (`settleBatch`): decode, hand
 * to the handler, retry or dead-letter, then ack what is settled and nak what was given up, so the
 * server hands it at once to whichever process pulls next. The server's delivery count is the first
 * attempt number, so attempts go on counting across processes; retries made in place by a process
 * that then dies are not counted by the server, so the next process may try a few more times.
 */
import type { JsMsg } from '@nats-io/jetstream'
import { settleBatch, type SettleOptions, type SettleOutcome } from '../../core/deliveries.js'
import { PermanentFailure, type BatchHandler, type ConsumeOptions, type Delivery } from '../../ports/bus.js'
import { decodeEvent } from './nats-codec.js'

export type ErrorReporter = (error: unknown, context: string) => void

export interface MessageSettling {
  readonly group: string
  readonly handler: BatchHandler
  readonly options: ConsumeOptions
  /** Aborts when the consumer drains: in-place retries end and their messages are given back. */
  readonly signal: AbortSignal
  readonly ackWaitMs: number
  readonly report: ErrorReporter
}

/** Runs `action` on a message; a closed connection must not break the settling of the others. */
function tell(message: JsMsg, action: 'ack' | 'nak' | 'working', report: ErrorReporter): void {
  try {
    message[action]()
  } catch (error) {
    report(error, `${action} of stream sequence ${message.seq}`)
  }
}

/** Settles `messages` (at most one per partition) and returns each one's outcome, in order. */
export async function settleMessages(messages: readonly JsMsg[], settling: MessageSettling): Promise<SettleOutcome[]> {
  const { report } = settling
  const keepAlive = () => {
    for (const message of messages) tell(message, 'working', report)
  }
  // Long handling must not look like a dead process: the server would hand the message to another.
  const beat = setInterval(keepAlive, Math.max(100, Math.floor(settling.ackWaitMs / 3)))
  const outcomes: SettleOutcome[] = messages.map(() => 'stopped')
  const common: Omit<SettleOptions, 'handler'> = {
    group: settling.group,
    maxAttempts: settling.options.maxAttempts,
    deadLetters: settling.options.deadLetters,
    backoff: settling.options.backoff,
    signal: settling.signal,
    keepAlive,
    onError: (error, delivery, willRetry) =>
      report(error, `${settling.group}: event ${delivery.event.id} failed (attempt ${delivery.attempt}); ${willRetry ? 'retrying' : 'dead-lettering'}`),
  }
  const settle = async (deliveries: Delivery[], handler: BatchHandler, indexes: number[]) => {
    try {
      const outcome = await settleBatch(deliveries, { ...common, handler })
      for (const index of indexes) outcomes[index] = outcome
    } catch (error) {
      // Not expected (settleBatch keeps handler errors); the messages are given back, not lost.
      report(error, `${settling.group}: settling a batch`)
    }
  }
  try {
    const deliveries: Delivery[] = []
    const decodedIndexes: number[] = []
    const runs: Promise<void>[] = []
    messages.forEach((message, index) => {
      const attempt = message.info.deliveryCount
      const decoded = decodeEvent(message.data, `${message.info.stream}:${message.seq}`, message.time.getTime())
      if (decoded.ok) {
        deliveries.push({ event: decoded.event, attempt })
        decodedIndexes.push(index)
        return
      }
      // Bytes that are no event can never succeed: a dead letter of their own, by the same rule.
      const refuse = async () => {
        throw new PermanentFailure(decoded.reason)
      }
      runs.push(settle([{ event: decoded.standIn, attempt }], refuse, [index]))
    })
    if (deliveries.length > 0) runs.push(settle(deliveries, settling.handler, decodedIndexes))
    await Promise.all(runs)
  } finally {
    clearInterval(beat)
  }
  messages.forEach((message, index) => tell(message, outcomes[index] === 'settled' ? 'ack' : 'nak', report))
  return outcomes
}
