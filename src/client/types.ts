/**
 * @module Every request and response shape the SDK speaks, in one place.
 *
 * These mirror the API as served today (src/transports/http/routes/*, src/transports/http/schemas.ts,
 * src/transports/ws/wire.ts, docs/stream.md). They are written out here rather than imported from
 * the server because the SDK must not load server code. When the shared wire schema (TypeBox, with
 * `Static<>` types for messages, conversations, receipts, files, problems and stream frames) is
 * available, re-point the types below to it here — this file is the only place to change.
 */

/** RFC 9457 problem+json, as every error of the API is answered. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail?: string
  readonly code: string
  readonly field?: string
  readonly instance?: string
  readonly request_id?: string
}

export interface TokenPair {
  readonly access_token: string
  readonly token_type: 'Bearer'
  /** Seconds the access token lives. */
  readonly expires_in: number
  readonly refresh_token: string
}

export interface User {
  readonly user_id: string
  readonly username: string
  readonly display_name: string | null
  readonly email: string | null
  readonly created_at: string | null
}

export interface Me extends User {
  readonly is_admin: boolean
}

export interface RegisterInput {
  readonly username: string
  readonly password: string
  readonly email?: string
  readonly display_name?: string
}

export type MemberRole = 'owner' | 'admin' | 'member'
export type MemberKind = 'user' | 'external'

export interface Member {
  readonly member: string
  readonly kind: MemberKind
  readonly role: MemberRole
  readonly joined_at: string | null
  readonly delivered_up_to_seq: number
  readonly read_up_to_seq: number
}

export interface Conversation {
  readonly conversation_id: string
  readonly type: 'private' | 'group'
  readonly title: string | null
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly created_by: string
  readonly created_at: string | null
  readonly last_seq: number
  readonly last_activity_at: string | null
  readonly members?: readonly Member[]
}

export interface ConversationSummary extends Conversation {
  readonly last_message: Message | null
  readonly unread_count: number
}

export interface CreateConversationInput {
  readonly type: 'private' | 'group'
  /** User ids, usernames or channel addresses (`whatsapp:+5511…`). */
  readonly members: readonly string[]
  readonly title?: string
  readonly metadata?: Readonly<Record<string, unknown>>
}

export interface MembersAdded extends Conversation {
  readonly added: readonly Member[]
}

export interface Pagination {
  readonly limit: number
  readonly returned: number
  readonly has_more: boolean
  readonly next_cursor: string | null
}

export interface ConversationPage {
  readonly conversations: readonly ConversationSummary[]
  readonly pagination: Pagination
}

/** What a file message carries about its file. */
export interface AttachedFile {
  readonly filename: string
  readonly size_bytes: number
  readonly mimetype: string
  readonly checksum: string
}

export type MessagePayload =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'file'; readonly file_id: string; readonly text?: string; readonly file?: AttachedFile }

export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ' | 'FAILED'

export interface Message {
  readonly message_id: string
  readonly conversation_id: string
  readonly seq: number
  readonly sender_id: string
  readonly payload: MessagePayload
  readonly content: string | null
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly created_at: string | null
  /** In history: the least advanced recipient's status. */
  readonly status?: DeliveryStatus
}

export interface Receipt {
  readonly member: string
  readonly status: DeliveryStatus
  readonly delivered_at: string | null
  readonly read_at: string | null
  readonly reason?: string
}

export interface MessageDetail extends Message {
  readonly receipts: readonly Receipt[]
}

export interface HistoryPage {
  readonly conversation_id: string
  readonly messages: readonly Message[]
  readonly pagination: Pagination
}

export interface HistoryQuery {
  readonly limit?: number
  readonly after_seq?: number
  readonly before_seq?: number
  readonly cursor?: string
}

/** The body of POST /v1/messages (the current form). */
export interface SendMessageBody {
  readonly message_id: string
  readonly conversation_id?: string
  readonly to?: string
  readonly payload: MessagePayload | { readonly type: 'file'; readonly file_id: string; readonly text?: string }
  readonly metadata?: Readonly<Record<string, unknown>>
  readonly channels?: readonly string[]
}

export interface Accepted {
  readonly status: 'accepted'
  readonly message_id: string
  readonly conversation_id: string
  readonly seq: number
  readonly created_at: string | null
}

export interface ReadMarks {
  readonly conversation_id: string
  readonly read_up_to_seq: number
  readonly delivered_up_to_seq: number
}

export interface MessageRead extends Receipt {
  readonly message_id: string
}

export interface UploadedFile {
  readonly file_id: string
  readonly filename: string
  readonly size_bytes: number
  readonly mimetype: string
  /** `sha256:<hex>` once ready. */
  readonly checksum: string | null
  readonly uploaded_at: string | null
}

export interface FileInfo extends UploadedFile {
  readonly state: 'uploading' | 'ready'
  readonly owner_id: string
  readonly conversation_id: string | null
  readonly created_at: string | null
}

export interface DownloadLink {
  readonly download_url: string
  readonly expires_at: string | null
  readonly expires_in: number
  readonly file_id: string
  readonly filename: string
  readonly size_bytes: number
  readonly mimetype: string
  readonly checksum: string | null
}

export interface Webhook {
  readonly webhook_id: string
  readonly url: string
  readonly events: readonly string[]
  readonly created_at: string | null
  /** Shown on creation and to its owner, never in lists. */
  readonly secret?: string
}

export interface CreateWebhookInput {
  readonly url: string
  readonly events: readonly string[]
  readonly secret?: string
}

export interface WebhookDelivery {
  readonly delivery_id: string
  readonly webhook_id: string
  readonly event_id: string
  readonly event_type: string
  readonly conversation_id: string | null
  readonly status: 'pending' | 'delivered' | 'dead'
  readonly attempt_count: number
  readonly next_attempt_at: string | null
  readonly created_at: string | null
  readonly finished_at: string | null
  readonly replay_of: string | null
  readonly attempts: readonly {
    readonly attempt: number
    readonly at: string | null
    readonly status_code: number | null
    readonly error: string | null
    readonly duration_ms: number | null
  }[]
}

export interface WebhookDeliveryPage {
  readonly deliveries: readonly WebhookDelivery[]
  readonly pagination: Pagination
}

// ---- The live stream (docs/stream.md) ----

export interface StreamPosition {
  readonly conversation_id: string
  readonly seq: number
}

interface FrameBase<T extends string> {
  readonly type: T
  readonly position: StreamPosition | null
}

export interface WelcomeFrame extends FrameBase<'welcome'> {
  readonly user_id: string
  readonly token_expires_at: string
  readonly heartbeat_ms: number
}
export interface ReadyFrame extends FrameBase<'ready'> {
  readonly replayed: number
}
export interface MessageCreatedFrame extends FrameBase<'message.created'> {
  readonly position: StreamPosition
  readonly message: Message
}
export interface MessageStatusFrame extends FrameBase<'message.status'> {
  readonly conversation_id: string
  readonly member: string
  readonly status: DeliveryStatus
  readonly up_to_seq: number
  readonly message_id: string | null
  readonly at: string | null
  readonly reason?: string
}
export interface ConversationCreatedFrame extends FrameBase<'conversation.created'> {
  readonly conversation: Omit<Conversation, 'last_seq' | 'last_activity_at' | 'members'>
  readonly members: readonly { readonly member: string; readonly kind: MemberKind; readonly role: MemberRole }[]
}
export interface ConversationUpdatedFrame extends FrameBase<'conversation.updated'> {
  readonly conversation_id: string
  readonly title: string | null
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly at: string | null
}
export interface MemberJoinedFrame extends FrameBase<'member.joined'> {
  readonly conversation_id: string
  readonly members: readonly { readonly member: string; readonly kind: MemberKind; readonly role: MemberRole; readonly joined_after_seq: number }[]
  readonly at: string | null
}
export interface MemberLeftFrame extends FrameBase<'member.left'> {
  readonly conversation_id: string
  readonly member: string
  readonly at: string | null
}
export interface TypingFrame extends FrameBase<'typing'> {
  readonly conversation_id: string
  readonly user_id: string
  readonly expires_at: string | null
}
export interface PresenceFrame extends FrameBase<'presence'> {
  readonly user_id: string
  readonly status: 'online' | 'offline'
  readonly last_seen_at: string | null
}
export interface ReceiptsSnapshotFrame extends FrameBase<'receipts.snapshot'> {
  readonly conversation_id: string
  readonly members: readonly { readonly member: string; readonly delivered_up_to_seq: number; readonly read_up_to_seq: number }[]
}
export interface StreamResetFrame extends FrameBase<'stream.reset'> {
  readonly position: StreamPosition
  readonly reason: 'too_old' | 'position_ahead' | 'not_a_member'
}
export interface PongFrame extends FrameBase<'pong'> {
  readonly id?: string | number
}
export interface OkFrame extends FrameBase<'ok'> {
  readonly id?: string | number
  readonly message_id?: string
  readonly conversation_id?: string
  readonly seq?: number
  readonly created_at?: string | null
  readonly status?: 'accepted' | 'duplicate'
}
export interface ErrorFrame extends FrameBase<'error'> {
  readonly id?: string | number
  readonly code: string
  readonly title: string
  readonly status: number
  readonly detail?: string
  readonly field?: string
}

export type StreamFrame =
  | WelcomeFrame
  | ReadyFrame
  | MessageCreatedFrame
  | MessageStatusFrame
  | ConversationCreatedFrame
  | ConversationUpdatedFrame
  | MemberJoinedFrame
  | MemberLeftFrame
  | TypingFrame
  | PresenceFrame
  | ReceiptsSnapshotFrame
  | StreamResetFrame
  | PongFrame
  | OkFrame
  | ErrorFrame

/** Commands a client sends over the WebSocket. */
export type StreamCommand =
  | { readonly type: 'ack' | 'read'; readonly conversation_id: string; readonly up_to_seq: number }
  | { readonly type: 'typing'; readonly conversation_id: string }
  | { readonly type: 'ping'; readonly id?: string | number }

// ---- Operating the platform (docs/admin.md) ----

export interface DeadLetter {
  readonly id: string
  /** The consumer group that gave up: fanout, webhooks … */
  readonly group: string
  readonly event_id: string
  readonly event_type: string
  readonly conversation_id: string | null
  readonly event: unknown
  readonly error: string
  readonly attempts: number
  readonly at: string | null
}

export interface DeadLetterPage {
  readonly dead_letters: readonly DeadLetter[]
  readonly pagination: Pagination
}

export interface ReplayQueued {
  readonly status: 'queued'
  readonly replay_event_id: string
}
