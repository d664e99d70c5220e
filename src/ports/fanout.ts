/**
 * @module The fan-out port: live events between the process that learns of an event (the fan-out
 * worker, or the API process a user types in) and every API process holding connections.
 * In-process in the all-in-one shape; NATS core subjects when scaled out.
 */
import type { Envelope } from '../core/stream/live-event.js'

export interface Fanout {
  /**
   * Hands the envelope to every subscriber of every process, at most once each, in publish order
   * per publisher. Live delivery is best effort by design: a subscriber that misses an envelope
   * (a process restarting, a network blip) is made whole by the stream's resume from the store.
   * Resolves once the envelope left this process (the memory adapter has delivered it by then).
   */
  publish(envelope: Envelope): Promise<void>
  /** Every envelope published from now on, by any process, until the returned function is called. */
  subscribe(handler: (envelope: Envelope) => void): () => void
  close(): Promise<void>
}
