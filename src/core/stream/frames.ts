/**
 * @module What a stream session sends, before a transport gives it its wire form, and the close
 * codes both transports use (the SSE transport writes them into its last event).
 */
import type { ErrorCode } from '../errors.js'
import type { Member, Message } from '../model.js'
import type { LiveEvent } from './live-event.js'

export const closeCodes = {
  /** The server is shutting down: reconnect (elsewhere) and resume. */
  goingAway: 1001,
  /** Something failed on our side: reconnect with backoff and resume. */
  internal: 1011,
  /** The request cannot be served as sent (bad positions): fix it before reconnecting. */
  badRequest: 4000,
  /** Missing, invalid or expired token: reconnect with a fresh one. */
  unauthorized: 4001,
  /** The connection's buffer overflowed (a slow consumer): reconnect at once and resume. */
  resume: 4008,
} as const

export type CloseCode = (typeof closeCodes)[keyof typeof closeCodes]

export type ResetReason = 'too_old' | 'position_ahead' | 'not_a_member'

export type StreamFrame =
  | { readonly kind: 'welcome'; readonly userId: string; readonly tokenExpiresAt: number; readonly heartbeatMs: number }
  /** A live or replayed event; replayed messages are `message.created` events too. */
  | { readonly kind: 'event'; readonly event: LiveEvent }
  /**
   * The conversation will not be replayed from the client's position: live events continue after
   * `seq`, and whatever came before is history to fetch (like Centrifugo's epoch change).
   */
  | { readonly kind: 'reset'; readonly conversationId: string; readonly seq: number; readonly reason: ResetReason }
  /** The members' watermarks now, sent on resume instead of replaying status changes. */
  | { readonly kind: 'receipts'; readonly conversationId: string; readonly members: readonly Member[] }
  /** The replay is over; everything from here on is live. */
  | { readonly kind: 'ready'; readonly replayed: number }
  | { readonly kind: 'pong'; readonly id: string | undefined }
  /** A command done; for a `send`, once the message is durable, with what the store made of it. */
  | { readonly kind: 'ok'; readonly id: string | undefined; readonly sent?: SentMessage }
  | {
      readonly kind: 'error'
      readonly id: string | undefined
      readonly code: ErrorCode
      readonly status: number
      readonly detail: string
      readonly field: string | undefined
    }

/** A message a `send` command committed: new, or the original of a repeated message id. */
export interface SentMessage {
  readonly message: Message
  readonly duplicate: boolean
}

/** Where a session's frames go: a WebSocket or an SSE response. */
export interface StreamSink {
  send(frame: StreamFrame): void
  /** Bytes handed to the connection and not yet taken by the network. */
  bufferedBytes(): number
  /** Resolves once the buffered bytes fell below half the limit, or the connection closed. */
  drained(): Promise<void>
  close(code: CloseCode, reason: string): void
}

/** What a client may send. Transports parse their wire form into these. */
export type ClientCommand =
  | { readonly type: 'ack' | 'read'; readonly id?: string; readonly conversationId: string; readonly upToSeq: number }
  | { readonly type: 'typing'; readonly id?: string; readonly conversationId: string }
  | { readonly type: 'ping'; readonly id?: string }
