/**
 * @module The bus port: the event log between the outbox relay and the consumers (router, live
 * fan-out, webhooks, channel deliveries). Memory in the all-in-one shape; NATS JetStream when scaled
 * out. Delivery is at least once; every consumer is idempotent.
 *
 * Ordering: every event has an ordering key, its conversation id. A consumer group receives the
 * events of one key in publish order, never two batches holding the same key at once, and a failed
 * event is retried in place: it holds back its key until it succeeds or is dead-lettered. Events
 * with different keys proceed in parallel.
 */
import type { OutboxEvent } from '../core/model.js'

/** The ordering key of an event: events of one conversation are consumed in order. */
export function orderingKey(event: OutboxEvent): string {
  return event.event.conversationId
}

export interface Delivery {
  readonly event: OutboxEvent
  /** 1 on the first delivery to this group, then 2, 3 … (also across processes on a durable bus). */
  readonly attempt: number
}

/**
 * A batch handler. It may receive several events of one key, in order, and must apply them in that
 * order. It succeeds for the whole batch or throws: a thrown `PermanentFailure` dead-letters at once,
 * any other error is retried in place with the shared backoff.
 */
export type BatchHandler = (batch: readonly Delivery[]) => Promise<void>

/** An event that will never succeed (bad data, a rule that cannot change): no retry, straight to dead letters. */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure'
}

export interface DeadLetterDraft {
  readonly group: string
  readonly event: OutboxEvent
  readonly error: string
  readonly attempts: number
  readonly at: number
}

/** Where a consumer keeps what it gave up on: durably, so a restart loses none. */
export type DeadLetterSink = (letter: DeadLetterDraft) => Promise<void>

export interface ConsumeOptions {
  /** Most deliveries handed to the handler at once. */
  readonly batchSize: number
  /** Attempts in all, the first included, before an event is dead-lettered. */
  readonly maxAttempts: number
  readonly deadLetters: DeadLetterSink
  /** Waits between in-place retries; tests shorten them. */
  readonly backoff?: { readonly baseMs: number; readonly capMs: number }
}

/** A consumer group's worker in this process. */
export interface Consumer {
  readonly group: string
  /** Begins taking deliveries; resolves once subscribed (for a durable bus, once its consumers exist). */
  start(): Promise<void>
  /** Takes no new deliveries and resolves once the ones in hand are settled (SIGTERM). */
  drain(): Promise<void>
  /** Drains, then releases everything the consumer holds. */
  stop(): Promise<void>
}

export interface Bus {
  /**
   * Publishes events in order; `event.id` is the dedup key. Resolves once the bus holds them (memory:
   * queued; NATS: acknowledged by JetStream), never waiting for consumers. The relay deletes outbox
   * rows only after this resolves.
   */
  publish(events: readonly OutboxEvent[]): Promise<void>
  /**
   * Present on a bus that keeps nothing across a crash (memory): resolves once every consumer group
   * of this process settled the events (handled or dead-lettered). The relay keeps such events in the
   * outbox until then, so the outbox is that bus's durable log.
   */
  settled?(events: readonly OutboxEvent[]): Promise<void>
  /** A consumer for `group`: each event reaches one handler call per group. Call `start` to begin. */
  consume(group: string, handler: BatchHandler, options: ConsumeOptions): Consumer
  close(): Promise<void>
}
