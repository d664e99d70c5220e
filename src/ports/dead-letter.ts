/** @module The shape of a dead letter, apart from store.ts so ports that store.ts extends can name it too. */
import type { OutboxEvent } from '../core/model.js'

/** An event a bus consumer gave up on, kept until an operator replays or discards it. */
export interface DeadLetter {
  readonly id: string
  /** The consumer group that failed: fanout, webhooks, channels … */
  readonly group: string
  readonly event: OutboxEvent
  readonly error: string
  readonly attempts: number
  readonly at: number
}
