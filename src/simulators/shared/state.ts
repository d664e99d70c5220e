/**
 * @module What one simulator remembers and is told through its control API: the messages it
 * accepted, every send attempt, every callback it made, the callback delays, the faults queued
 * for the next calls, and where its webhook points. In memory, gone when it stops.
 */

/** Faults of the platform's API answers. */
export const sendFaults = ['server_error', 'timeout', 'rate_limit', 'permanent'] as const
/** Faults of the callbacks the platform makes to our webhook. */
export const callbackFaults = ['out_of_order', 'duplicate', 'bad_signature'] as const
export type SendFault = (typeof sendFaults)[number]
export type CallbackFault = (typeof callbackFaults)[number]
export type FaultKind = SendFault | CallbackFault

export interface QueuedFault {
  readonly kind: FaultKind
  /** How many calls it still applies to. */
  remaining: number
  /** With `rate_limit`: the wait the platform asks for. */
  readonly retryAfterSeconds: number
}

/** A message the simulated platform accepted, in platform-neutral terms. */
export interface ReceivedMessage {
  readonly id: string
  readonly to: string
  /** `text`, `image`, `document`… as the platform names it. */
  readonly type: string
  readonly text?: string
  readonly link?: string
  readonly caption?: string
  readonly filename?: string
  readonly replyTo?: string
  /** A template message's name (WhatsApp). */
  readonly template?: string
  readonly at: number
}

export interface SendAttempt {
  readonly at: number
  readonly path: string
  /** The HTTP status answered; undefined while held by a `timeout` fault. */
  readonly status: number | undefined
  readonly fault?: FaultKind
}

export interface CallbackRecord {
  readonly at: number
  readonly url: string
  /** `status` or `inbound`. */
  readonly kind: string
  readonly body: unknown
  readonly signature: 'valid' | 'bad'
  readonly status?: number
  readonly error?: string
}

export interface Delays {
  /** After a send, when the delivered callback goes; null: never. */
  deliveredMs: number | null
  /** After a send, when the read callback goes; null: never (the contact never reads). */
  readMs: number | null
}

export interface WebhookTarget {
  readonly url: string
  /** Telegram's `secret_token`; Meta platforms sign with the app secret instead. */
  readonly secret?: string
}

/** Records kept of each kind: a long benchmark run must not grow the simulator without bound. */
export const RECORDS_KEPT = 10_000

function keep<T>(list: T[], item: T): void {
  list.push(item)
  if (list.length > RECORDS_KEPT) list.splice(0, list.length - RECORDS_KEPT)
}

export class SimulatorState {
  /** The latest RECORDS_KEPT of each, oldest first. */
  readonly received: ReceivedMessage[] = []
  readonly attempts: SendAttempt[] = []
  readonly callbacks: CallbackRecord[] = []
  faults: QueuedFault[] = []
  webhook: WebhookTarget | undefined
  /** Aborted when the simulator stops: pending callbacks and held requests end with it. */
  readonly stopping = new AbortController()

  constructor(
    readonly delays: Delays,
    readonly supportedFaults: readonly FaultKind[],
    webhook?: WebhookTarget,
  ) {
    this.webhook = webhook
  }

  recordMessage(message: ReceivedMessage): void {
    keep(this.received, message)
  }

  recordAttempt(attempt: SendAttempt): void {
    keep(this.attempts, attempt)
  }

  recordCallback(callback: CallbackRecord): void {
    keep(this.callbacks, callback)
  }

  /** Uses up one application of the first queued fault among `kinds`, if any. */
  takeFault(kinds: readonly FaultKind[]): QueuedFault | undefined {
    const fault = this.faults.find((f) => kinds.includes(f.kind) && f.remaining > 0)
    if (!fault) return undefined
    fault.remaining--
    this.faults = this.faults.filter((f) => f.remaining > 0)
    return fault
  }

  reset(): void {
    this.received.length = 0
    this.attempts.length = 0
    this.callbacks.length = 0
    this.faults = []
  }
}
