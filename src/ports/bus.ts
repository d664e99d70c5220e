/**
 * @module The bus port: the event log and work queues between the outbox relay and the workers.
 * Memory in the all-in-one shape; NATS JetStream when scaled out. Delivery is at least once.
 */
import type { OutboxEvent } from '../core/model.js'

export interface Delivery {
  readonly event: OutboxEvent
  /** 1 on the first delivery, then 2, 3 … */
  readonly attempt: number
  /** Done: never delivered to this consumer group again. */
  ack(): void
  /** Deliver again to this group after `delayMs`. */
  retry(delayMs: number): void
  /** Give up: the event goes to the dead-letter list with the reason. */
  deadLetter(reason: string): void
}

export interface DeadLetter {
  readonly group: string
  readonly event: OutboxEvent
  readonly reason: string
  readonly attempts: number
  readonly at: number
}

export interface ConsumeOptions {
  /** Most deliveries handed to the handler at once. */
  readonly batchSize: number
}

export interface Bus {
  /**
   * Publishes events; `event.id` is the dedup key. Resolves when the events are durable in the bus:
   * for the memory bus, which keeps nothing across a crash, that is once every consumer group has
   * acked or dead-lettered them, so the outbox keeps them until then.
   */
  publish(events: readonly OutboxEvent[]): Promise<void>
  /**
   * Consumes as a named group: each event goes to one handler call per group. Deliveries the handler
   * neither acks nor retries when its promise settles are retried (on rejection) or acked (on success).
   */
  consume(group: string, handler: (batch: readonly Delivery[]) => Promise<void>, options: ConsumeOptions): void
  /** Events consumers gave up on, newest last. */
  deadLetters(): Promise<readonly DeadLetter[]>
  close(): Promise<void>
}
