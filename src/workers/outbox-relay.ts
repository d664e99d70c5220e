/**
 * @module Moves outbox events to the bus. Woken by the store after each write, and polling as a
 * fallback for events written by other processes or left behind by a crash.
 */
import type { Logger } from 'pino'
import type { Bus } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { pause, type Service } from './service.js'

export interface OutboxRelayOptions {
  readonly store: Store
  readonly bus: Bus
  readonly logger: Logger
  readonly batchSize: number
  readonly pollIntervalMs: number
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
          const relayed = await store.drainOutbox(batchSize, (events) => bus.publish(events))
          // A full batch means more may be waiting: go again without sleeping.
          if (relayed === batchSize) pending = true
          failures = 0
        } catch (error) {
          failures++
          logger.error({ err: error, failures }, 'outbox relay failed; retrying')
          await pause(Math.min(5_000, 50 * 2 ** failures), signal)
          pending = true
        }
      }
    },
  }
}
