/**
 * @module What travels to connected users: the domain events (a message, a status change, a
 * membership change) and the ephemeral ones that are never stored (typing, presence). Also the
 * presence bookkeeping processes send one another through the fan-out, which no client ever sees.
 */
import type { DomainEvent, Message } from '../model.js'

export interface TypingEvent {
  readonly type: 'typing'
  readonly conversationId: string
  readonly userId: string
  /** Epoch ms after which clients stop showing the indicator unless it is renewed. */
  readonly expiresAt: number
}

export interface PresenceEvent {
  readonly type: 'presence'
  readonly userId: string
  readonly online: boolean
  /** When the user's last connection closed; null while online or when never seen. */
  readonly lastSeenAt: number | null
  /** The process whose connections changed, so a user online on two processes stays online. */
  readonly node: string
}

export type LiveEvent = DomainEvent | TypingEvent | PresenceEvent

export type MessageCreated = Extract<DomainEvent, { type: 'message.created' }>

/** A stored message as the event that announced it (replays send the same frames as live). */
export const messageCreated = (m: Message): MessageCreated => ({
  type: 'message.created',
  messageId: m.id,
  conversationId: m.conversationId,
  seq: m.seq,
  senderId: m.senderId,
  payload: m.payload,
  metadata: m.metadata,
  createdAt: m.createdAt,
})

/**
 * Presence bookkeeping between processes (src/core/presence.ts). `node` is always the sender.
 * - heartbeat: the sender is alive and holds `users` users, whose ids hash to `digest`. That is
 *   enough for others to check their view of it without a user list.
 * - roster: the users the sender holds, sent only when asked, in `parts` envelopes numbered by `part`.
 * - roster.request: asks process `of` for its roster; `of: null` asks every process holding anyone.
 */
export type PresenceControl =
  | { readonly type: 'presence.heartbeat'; readonly node: string; readonly users: number; readonly digest: number }
  | {
      readonly type: 'presence.roster'
      readonly node: string
      readonly part: number
      readonly parts: number
      readonly users: readonly string[]
    }
  | { readonly type: 'presence.roster.request'; readonly node: string; readonly of: string | null }

/** What processes say to one another rather than to users. */
export type ControlEvent = PresenceControl

// A Record, so a control type added above and forgotten here is a compile error, not a leak to clients.
const controlTypes: Readonly<Record<ControlEvent['type'], true>> = {
  'presence.heartbeat': true,
  'presence.roster': true,
  'presence.roster.request': true,
}

export const isControlEvent = (event: LiveEvent | ControlEvent): event is ControlEvent => Object.hasOwn(controlTypes, event.type)

/**
 * One event and the users it is for. Control events are addressed to no one: every process's hub
 * hands them to its own bookkeeping, never to a connection.
 */
export type Envelope =
  | { readonly to: readonly string[]; readonly event: LiveEvent; /** W3C traceparent (tracing on). */ readonly traceparent?: string }
  | { readonly to: readonly []; readonly event: ControlEvent }
