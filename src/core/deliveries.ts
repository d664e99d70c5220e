/**
 * @module The one ack / retry / dead-letter rule for every bus consumer, whatever the bus. An adapter
 * hands a batch of deliveries (one key's events in order, several keys at once) to `settleBatch`; it
 * resolves once each delivery is settled — handled, or dead-lettered — or reports that it gave up
 * because the consumer is stopping, in which case the adapter leaves the deliveries for redelivery.
 *
 * A failed batch is split: each delivery is retried alone, in place and in order, with the shared
 * backoff, so one poison event is dead-lettered by itself and holds back only what follows it.
 */
import type { OutboxEvent } from './model.js'
import { pause } from './pause.js'
import { backoffDelayMs, type Backoff } from './retry.js'
import type { BatchHandler, Delivery, DeadLetterSink } from '../ports/bus.js'
import { PermanentFailure } from '../ports/bus.js'

export const defaultConsumerBackoff: Backoff = { baseMs: 100, capMs: 30_000 }

export interface SettleOptions {
  readonly group: string
  readonly handler: BatchHandler
  readonly maxAttempts: number
  readonly deadLetters: DeadLetterSink
  readonly backoff?: Backoff | undefined
  /** Aborts when the consumer stops: waits end early and the batch is given up. */
  readonly signal: AbortSignal
  /** Called while a delivery is being retried, so a broker does not redeliver it meanwhile. */
  readonly keepAlive?: () => void
  readonly onError?: (error: unknown, delivery: Delivery, willRetry: boolean) => void
  readonly now?: () => number
}

export type SettleOutcome = 'settled' | 'stopped'

/** A replayed dead letter names the one group that must handle it again; the others skip it. */
export function isForGroup(event: OutboxEvent, group: string): boolean {
  return event.onlyGroup === undefined || event.onlyGroup === group
}

async function sleep(ms: number, signal: AbortSignal, keepAlive?: () => void): Promise<void> {
  // A broker's ack deadline may be shorter than the wait: say we are still on it every second.
  const beat = keepAlive ? setInterval(keepAlive, 1_000) : undefined
  try {
    await pause(ms, signal)
  } finally {
    if (beat) clearInterval(beat)
  }
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

export async function settleBatch(batch: readonly Delivery[], options: SettleOptions): Promise<SettleOutcome> {
  const mine = batch.filter((d) => isForGroup(d.event, options.group))
  if (mine.length === 0) return 'settled'
  try {
    await options.handler(mine)
    return 'settled'
  } catch (error) {
    if (mine.length === 1) return settleOne(mine[0]!, options, error)
  }
  for (const delivery of mine) {
    if ((await settleOne(delivery, options)) === 'stopped') return 'stopped'
  }
  return 'settled'
}

/** Tries one delivery until it succeeds, fails permanently or runs out of attempts. */
async function settleOne(delivery: Delivery, options: SettleOptions, firstError?: unknown): Promise<SettleOutcome> {
  const backoff = options.backoff ?? defaultConsumerBackoff
  let attempt = delivery.attempt
  let error = firstError
  for (;;) {
    if (error === undefined) {
      try {
        await options.handler([{ event: delivery.event, attempt }])
        return 'settled'
      } catch (caught) {
        error = caught
      }
    }
    const permanent = error instanceof PermanentFailure
    const willRetry = !permanent && attempt < options.maxAttempts
    options.onError?.(error, delivery, willRetry)
    if (!willRetry) {
      return deadLetter(delivery, attempt, describe(error), options)
    }
    await sleep(backoffDelayMs(backoff, attempt), options.signal, options.keepAlive)
    if (options.signal.aborted) return 'stopped'
    attempt++
    error = undefined
  }
}

/** The dead letter must be kept before the delivery counts as settled: its write is retried too. */
async function deadLetter(delivery: Delivery, attempts: number, error: string, options: SettleOptions): Promise<SettleOutcome> {
  const backoff = options.backoff ?? defaultConsumerBackoff
  for (let failed = 1; ; failed++) {
    try {
      await options.deadLetters({ group: options.group, event: delivery.event, error, attempts, at: (options.now ?? Date.now)() })
      return 'settled'
    } catch (sinkError) {
      options.onError?.(sinkError, delivery, true)
      await sleep(backoffDelayMs(backoff, failed), options.signal, options.keepAlive)
      if (options.signal.aborted) return 'stopped'
    }
  }
}
