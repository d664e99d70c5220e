/**
 * @module Moves outbox events to the bus. Woken by the store after each write, and polling as a
 * fallback for events written by other processes or left behind by a crash. A row is deleted once
 * the bus holds its event: on NATS, the JetStream ack; on the memory bus, which keeps nothing across
 * a crash, once every consumer group settled it — so the outbox is that bus's durable log.
 */
import type { Logger } from 'pino'
import type { OutboxEvent } from '../core/model.js'
import { backoffDelayMs } from '../core/retry.js'
import type { Bus } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { pause, type Service } from './service.js'

const relayBackoff = { baseMs: 50, capMs: 5_000 }

async function hand(bus: Bus, events: readonly OutboxEvent[]): Promise<void> {
  await bus.publish(events)
  if (bus.settled) await bus.settled(events)
}

export interface OutboxRelayOptions {
  readonly store: Store
  readonly bus: Bus
  readonly logger: Logger
  readonly batchSize: number
  readonly pollIntervalMs: number
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

export function createOutboxRelay({ store, bus, logger, batchSize, pollIntervalMs }: OutboxRelayOptions): Service {
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
          const relayed = await store.drainOutbox(batchSize, (events) => untilAborted(hand(bus, events), signal))
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
