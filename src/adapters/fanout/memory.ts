/**
 * @module The in-process fan-out of the all-in-one shape: publish calls every subscriber
 * synchronously, so a message reaches local sockets in the same turn the worker handles it.
 */
import type { Envelope } from '../../core/stream/live-event.js'
import type { Fanout } from '../../ports/fanout.js'

export function createMemoryFanout(): Fanout {
  const handlers = new Set<(envelope: Envelope) => void>()
  let closed = false
  return {
    async publish(envelope) {
      if (closed) throw new Error('fanout is closed')
      for (const handler of handlers) {
        // One failing subscriber must not keep the event from the others.
        try {
          handler(envelope)
        } catch (error) {
          process.emitWarning(`a fanout subscriber threw: ${String(error)}`)
        }
      }
    },
    subscribe(handler) {
      handlers.add(handler)
      return () => void handlers.delete(handler)
    },
    async close() {
      closed = true
      handlers.clear()
    },
  }
}
