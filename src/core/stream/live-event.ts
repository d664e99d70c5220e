/**
 * @module What travels to connected users: the domain events (a message, a status change, a
 * membership change) and the ephemeral ones that are never stored (typing, presence).
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

/** One live event and the users it is for. */
export interface Envelope {
  readonly to: readonly string[]
  readonly event: LiveEvent
}
