/**
 * @module The domain model: plain readonly data shared by the core, the ports and the transports.
 * Times are epoch milliseconds; transports format them.
 */

export type ConversationType = 'private' | 'group'
export type MemberRole = 'owner' | 'admin' | 'member'
export type MemberKind = 'user' | 'external'

/** Delivery status of a message for one recipient. Only ever moves forward. */
export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ'
export const statusRank: Readonly<Record<DeliveryStatus, number>> = { SENT: 1, DELIVERED: 2, READ: 3 }
export const statusByRank: readonly DeliveryStatus[] = ['SENT', 'SENT', 'DELIVERED', 'READ']

export interface User {
  readonly id: string
  readonly username: string
  readonly email: string | null
  readonly displayName: string
  readonly passwordHash: string
  readonly createdAt: number
}

export interface NewUser {
  readonly id: string
  readonly username: string
  readonly email: string | null
  readonly displayName: string
  readonly passwordHash: string
  readonly createdAt: number
}

/** A member is a Chat4All user (by id) or an external channel address such as `whatsapp:+5511…`. */
export interface MemberRef {
  readonly kind: MemberKind
  readonly id: string
}

export interface Member extends MemberRef {
  readonly role: MemberRole
  readonly joinedAt: number
  /** Messages with a seq above this were sent after the member joined. */
  readonly joinedAfterSeq: number
  readonly deliveredUpToSeq: number
  readonly readUpToSeq: number
}

export interface Conversation {
  readonly id: string
  readonly type: ConversationType
  readonly title: string | null
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly createdBy: string
  readonly createdAt: number
  readonly lastSeq: number
  readonly lastActivityAt: number
}

export interface NewConversation {
  readonly id: string
  readonly type: ConversationType
  readonly title: string | null
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly createdBy: string
  readonly createdAt: number
  /** Includes the creator, whose role is owner for a group. */
  readonly members: readonly (MemberRef & { readonly role: MemberRole })[]
}

export type MessagePayload =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'file'; readonly file_id: string; readonly text?: string }

export interface Message {
  readonly id: string
  readonly conversationId: string
  readonly seq: number
  readonly senderId: string
  readonly payload: MessagePayload
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly createdAt: number
  /** Hash of what the sender asked for; a retry with the same id must match it. */
  readonly bodyHash: string
}

export type NewMessage = Omit<Message, 'seq'>

export interface Receipt {
  readonly memberId: string
  readonly status: DeliveryStatus
  readonly deliveredAt: number | null
  readonly readAt: number | null
}

export interface ConversationSummary {
  readonly conversation: Conversation
  readonly lastMessage: Message | null
  readonly unreadCount: number
}

export interface FileRef {
  readonly id: string
  readonly ownerId: string
  readonly filename: string
  readonly sizeBytes: number
  readonly contentType: string
  readonly sha256: string
}

/** Events written to the outbox in the same transaction as the change they describe. */
export type DomainEvent =
  | {
      readonly type: 'message.created'
      readonly messageId: string
      readonly conversationId: string
      readonly seq: number
      readonly senderId: string
      /** The whole message travels with the event, so live push and webhooks need no read. */
      readonly payload: MessagePayload
      readonly metadata: Readonly<Record<string, unknown>> | null
      readonly createdAt: number
    }
  | {
      readonly type: 'message.status'
      readonly conversationId: string
      readonly memberId: string
      readonly status: 'DELIVERED' | 'READ'
      /** Every message up to this seq reached the status (watermark), or just `messageId` when set. */
      readonly upToSeq: number
      readonly messageId: string | null
      readonly at: number
    }

/** What the router needs to route one accepted message. */
export type RoutingKey = Pick<
  Extract<DomainEvent, { type: 'message.created' }>,
  'messageId' | 'conversationId' | 'seq' | 'senderId'
>

export interface OutboxEvent {
  /** Unique and stable: the bus's dedup key. */
  readonly id: string
  readonly event: DomainEvent
  readonly createdAt: number
}
