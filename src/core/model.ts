/**
 * @module The domain model: plain readonly data shared by the core, the ports and the transports.
 * Times are epoch milliseconds; transports format them.
 */

export type ConversationType = 'private' | 'group'
export type MemberRole = 'owner' | 'admin' | 'member'
export type MemberKind = 'user' | 'external'

/** Delivery status of a message for one recipient. Only ever moves forward. */
/** FAILED: an external recipient's platform refused the message for good (with a `reason`); it never moves on. */
export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ' | 'FAILED'
export const statusRank: Readonly<Record<DeliveryStatus, number>> = { FAILED: 0, SENT: 1, DELIVERED: 2, READ: 3 }
export const statusByRank: readonly DeliveryStatus[] = ['SENT', 'SENT', 'DELIVERED', 'READ']

export interface User {
  readonly id: string
  readonly username: string
  readonly email: string | null
  readonly displayName: string
  readonly passwordHash: string
  readonly createdAt: number
  /** May operate the platform (`/v1/admin`); the first account registered is one. */
  readonly isAdmin: boolean
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
  | { readonly type: 'file'; readonly file_id: string; readonly text?: string; readonly file?: AttachedFile }

/**
 * What a file message carries about its file (API-shaped, like the payload it lives in), added by
 * the core when the message is accepted: history and events need no second read. Files never
 * change once ready, so the copy cannot go stale.
 */
export interface AttachedFile {
  readonly filename: string
  readonly size_bytes: number
  readonly mimetype: string
  /** `sha256:<hex>` */
  readonly checksum: string
}

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

export type NewMessage = Omit<Message, 'seq'> & {
  /** The W3C traceparent of the send, stored with its outbox event so the trace goes on from there. */
  readonly traceparent?: string
}

export interface Receipt {
  readonly memberId: string
  readonly status: DeliveryStatus
  readonly deliveredAt: number | null
  readonly readAt: number | null
  /** With FAILED (external recipients): why, e.g. `bad_recipient: …`. */
  readonly reason?: string
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

export type FileState = 'uploading' | 'ready'
/** How the bytes arrive: tus PATCHes at an offset, numbered chunks in any order, or one stream. */
export type UploadProtocol = 'tus' | 'chunked' | 'simple'

/** A file in any state: its metadata, and while it is uploading, where the upload stands. */
export interface FileRecord {
  readonly id: string
  readonly ownerId: string
  /** Sanitised; never used to name storage. */
  readonly filename: string
  /** Declared at the start (tus, chunked) or counted at the end (simple). */
  readonly sizeBytes: number
  readonly contentType: string
  /** Hex SHA-256 of the bytes; known once ready. */
  readonly sha256: string | null
  readonly storageKey: string
  readonly state: FileState
  /** The conversation it was uploaded for, if any. */
  readonly conversationId: string | null
  readonly createdAt: number
  readonly completedAt: number | null
  /** Null once ready. */
  readonly upload: UploadState | null
}

export interface UploadState {
  readonly protocol: UploadProtocol
  /** The blob store's multipart upload; null for simple and empty uploads. */
  readonly multipartRef: string | null
  /** Every chunk (multipart part) is this long but the last. */
  readonly chunkSize: number
  /** tus: bytes received in order. Those past the last whole chunk wait in the tail object. */
  readonly offset: number
  readonly tailKey: string | null
  /** Hex SHA-256 the client declared; the upload fails unless the bytes match it. */
  readonly declaredSha256: string | null
  /** tus `Upload-Metadata`, as the client sent it. */
  readonly metadata: string | null
  readonly expiresAt: number
}

/** One stored chunk of an upload (index from 0; the blob store's part number is index + 1). */
export interface UploadPart {
  readonly index: number
  readonly etag: string
  readonly sizeBytes: number
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
      /** SENT and FAILED only for external recipients: their platform accepted or refused the message. */
      readonly status: 'SENT' | 'DELIVERED' | 'READ' | 'FAILED'
      /** Every message up to this seq reached the status (watermark), or just `messageId` when set. */
      readonly upToSeq: number
      readonly messageId: string | null
      readonly at: number
      /** With FAILED: why. */
      readonly reason?: string
    }
  | {
      readonly type: 'conversation.created'
      readonly conversationId: string
      readonly conversationType: ConversationType
      readonly title: string | null
      readonly metadata: Readonly<Record<string, unknown>> | null
      readonly createdBy: string
      readonly members: readonly (MemberRef & { readonly role: MemberRole })[]
      readonly at: number
    }
  | {
      /** Title or metadata changed. */
      readonly type: 'conversation.updated'
      readonly conversationId: string
      readonly title: string | null
      readonly metadata: Readonly<Record<string, unknown>> | null
      readonly at: number
    }
  | {
      readonly type: 'member.joined'
      readonly conversationId: string
      /** Who joined; each receives the messages with a seq above `joinedAfterSeq`. */
      readonly members: readonly (MemberRef & { readonly role: MemberRole; readonly joinedAfterSeq: number })[]
      readonly at: number
    }
  | {
      readonly type: 'member.left'
      readonly conversationId: string
      readonly memberId: string
      readonly at: number
    }

export interface OutboxEvent {
  /** Unique and stable: the bus's dedup key. */
  readonly id: string
  readonly event: DomainEvent
  readonly createdAt: number
  /** Set on a replayed dead letter: only this consumer group handles it again. */
  readonly onlyGroup?: string
  /** The W3C traceparent of the step that produced or last handled it (tracing on): the trace's next parent. */
  readonly traceparent?: string
}
