/**
 * @module Moves outbox events to the bus. Woken by the store after each write, and polling as a
 * fallback for events written by other processes or left behind by a crash. A row is deleted once
 * the bus holds its event: on NATS, the JetStream ack; on the memory bus, which keeps nothing across
 * a crash, once every consumer group settled it — so the outbox is that bus's durable log — while
 * the relay goes on with the next batches.
 */
import type { Logger } from 'pino'
import type { OutboxEvent } from '../core/model.js'
import { backoffDelayMs } from '../core/retry.js'
import type { Bus } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { pause, type Service } from './service.js'

const relayBackoff = { baseMs: 50, capMs: 5_000 }

export interface OutboxRelayOptions {
  readonly store: Store
  readonly bus: Bus
  readonly logger: Logger
  readonly batchSize: number
  readonly pollIntervalMs: number
  /**
   * On a bus that keeps nothing across a crash (the memory bus): the most events handed to it and
   * not yet settled by every consumer group. Within it, the relay hands on the next batch at once
   * instead of waiting for the consumers (a webhook write, say) to finish the previous one.
   */
  readonly maxUnsettled?: number
}

/**
 * Rejects when the signal aborts, so shutdown never waits on a publish that cannot finish (a consumer
 * retrying a failing event); the events stay in the outbox and are relayed at the next start.
 */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(new Error('relay stopped before the bus took the events'))
    if (signal.aborted) return abort()
    signal.addEventListener('abort', abort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

export function createOutboxRelay(options: OutboxRelayOptions): Service {
  const { store, bus, logger, batchSize, pollIntervalMs } = options
  /** One pass: hands pending events to the bus; resolves with how many it handed. */
  const relayOnce: (signal: AbortSignal) => Promise<number> = bus.settled
    ? pipelined(store, bus, bus.settled.bind(bus), batchSize, options.maxUnsettled ?? 50_000, logger)
    : (signal) => store.drainOutbox(batchSize, (events) => untilAborted(bus.publish(events), signal))
  return {
    name: 'outbox-relay',
    async run(signal) {
      let wake: (() => void) | undefined
      let pending = true
      store.onOutboxWrite(() => {
        pending = true
        wake?.()
      })
      let failures = 0
      while (!signal.aborted) {
        if (!pending) {
          const idle = new AbortController()
          wake = () => idle.abort()
          signal.addEventListener('abort', wake, { once: true })
          await pause(pollIntervalMs, idle.signal)
          signal.removeEventListener('abort', wake)
          wake = undefined
        }
        pending = false
        try {
          const relayed = await relayOnce(signal)
          // A full batch means more may be waiting: go again without sleeping.
          if (relayed === batchSize) pending = true
          failures = 0
        } catch (error) {
          if (signal.aborted) break
          failures++
          logger.error({ err: error, failures }, 'outbox relay failed; retrying')
          await pause(backoffDelayMs(relayBackoff, failures), signal)
          pending = true
        }
      }
    },
  }
}

/**
 * The relay of a bus whose consumers must settle an event before its outbox row may go (the outbox
 * is that bus's durable log). It reads past what it already handed on, so a batch still being
 * consumed never holds back the next one. One relay per process owns the outbox here (SQLite), so
 * the position cursor lives in memory; after a restart it starts from the beginning and the
 * consumers' idempotence absorbs the repeats.
 *
 * Batches are deleted in the order they were handed on, each once it and every earlier one
 * settled. SQLite gives a new row the highest position + 1, so the last handed row staying until
 * the end keeps new rows above the cursor; once everything handed is gone the cursor restarts.
 */
function pipelined(
  store: Store,
  bus: Bus,
  settled: (events: readonly OutboxEvent[]) => Promise<void>,
  batchSize: number,
  maxUnsettled: number,
  logger: Logger,
): (signal: AbortSignal) => Promise<number> {
  let cursor = 0
  let unsettled = 0
  let roomFreed: (() => void) | undefined
  const handed: { positions: number[]; settled: boolean }[] = []
  let deleting = false
  const deleteSettled = async () => {
    if (deleting) return
    deleting = true
    try {
      while (handed[0]?.settled) {
        const batch = handed[0]
        await store.deleteOutbox(batch.positions).catch((error: unknown) => {
          // The rows stay, and are handed on again later; consumers are idempotent.
          logger.error({ err: error }, 'outbox rows of a settled batch could not be deleted')
        })
        handed.shift()
        unsettled -= batch.positions.length
        if (handed.length === 0) cursor = 0
        roomFreed?.()
        roomFreed = undefined
      }
    } finally {
      deleting = false
    }
  }
  return async (signal) => {
    while (unsettled >= maxUnsettled) {
      await untilAborted(new Promise<void>((resolve) => (roomFreed = resolve)), signal)
    }
    const batch = await store.listOutbox(cursor, Math.min(batchSize, maxUnsettled - unsettled))
    if (batch.length === 0) return 0
    const events = batch.map((p) => p.event)
    await untilAborted(bus.publish(events), signal)
    cursor = batch[batch.length - 1]!.position
    unsettled += batch.length
    const entry = { positions: batch.map((p) => p.position), settled: false }
    handed.push(entry)
    void settled(events).then(
      () => {
        entry.settled = true
        return deleteSettled()
      },
      (error: unknown) => logger.error({ err: error }, 'the bus could not settle a batch; its outbox rows stay'),
    )
    return batch.length
  }
}
