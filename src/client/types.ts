/**
 * @module Every request and response shape the SDK speaks, in one place.
 *
 * The API's shapes come from the one wire schema (src/wire: TypeBox schemas whose `Static<>` types
 * the server validates, serialises and documents with), so the SDK cannot drift from what is
 * served. They are imported with `import type` only: TypeScript erases them, and the SDK loads no
 * server code at run time (.dependency-cruiser.cjs, rule sdk-imports-no-server-code). The names the
 * SDK has always used (HistoryPage, Accepted …) are kept as aliases of the wire names. Types that
 * belong to the SDK alone (its inputs and queries) are written out below.
 */
import type {
  ConversationRead,
  CreateConversationBody,
  CreateWebhookBody,
  DeliveryPage,
  FullSendBody,
  MessageAccepted,
  MessagePage,
  Position,
  RegisterBody,
  MessageCreatedFrame as WireMessageCreatedFrame,
  StreamFrame as WireStreamFrame,
  StreamResetFrame as WireStreamResetFrame,
} from '../wire/index.js'

export type {
  AttachedFile,
  ChunkedUpload,
  ChunkReceived,
  CloseFrame,
  Conversation,
  ConversationCreatedFrame,
  ConversationPage,
  ConversationRead,
  ConversationSummary,
  ConversationUpdatedFrame,
  DeadLetter,
  DeadLetterPage,
  DeliveryPage,
  DeliveryStatus,
  DownloadLink,
  ErrorFrame,
  FileInfo,
  FilePayload,
  Me,
  Member,
  MemberJoinedFrame,
  MemberKind,
  MemberLeftFrame,
  MemberRole,
  MembersAdded,
  Message,
  MessageAccepted,
  MessageDetail,
  MessagePage,
  MessagePayload,
  MessageRead,
  MessageStatusFrame,
  OkFrame,
  Pagination,
  PongFrame,
  Position,
  PresenceFrame,
  Problem,
  ReadyFrame,
  Receipt,
  ReceiptsSnapshotFrame,
  ReplayQueued,
  StreamCommand,
  TextPayload,
  TokenPair,
  TypingFrame,
  UploadedFile,
  UploadStatus,
  User,
  Webhook,
  WebhookDelivery,
  WebhookPayload,
  WebhookPayloadOf,
  WelcomeFrame,
} from '../wire/index.js'

// ---- The SDK's names for wire shapes ----

/** A page of a conversation's history (GET /v1/conversations/{id}/messages). */
export type HistoryPage = MessagePage
/** What a send answers. */
export type Accepted = MessageAccepted
/** A conversation's read and delivered watermarks after marking it read. */
export type ReadMarks = ConversationRead
export type WebhookDeliveryPage = DeliveryPage
/** Where a frame puts the client in a conversation. */
export type StreamPosition = Position

/** The body of POST /v1/messages in the form the SDK sends (a `payload`, not the compact form). */
export type SendMessageBody = FullSendBody

// ---- Stream frames, with the position the schema guarantees ----

/**
 * Frames that move the client's place always carry a position (the schema says so), but the wire
 * type widens every frame's `position` to `Position | null`; these restore the guarantee so a
 * consumer narrowing on `type` gets a position it can use.
 */
type Moving<F> = Omit<F, 'position'> & { readonly position: Position }
export type MessageCreatedFrame = Moving<WireMessageCreatedFrame>
export type StreamResetFrame = Moving<WireStreamResetFrame>
/** Every frame the server sends (docs/stream.md). */
export type StreamFrame = Exclude<WireStreamFrame, { type: 'message.created' | 'stream.reset' }> | MessageCreatedFrame | StreamResetFrame
/** One kind of frame, by its `type`. */
export type StreamFrameOf<K extends StreamFrame['type']> = Extract<StreamFrame, { type: K }>

// ---- The SDK's own inputs ----

export type RegisterInput = RegisterBody

export type CreateConversationInput = CreateConversationBody

export type CreateWebhookInput = CreateWebhookBody

/** Which slice of history to fetch; at most one of after_seq, before_seq or cursor. */
export interface HistoryQuery {
  readonly limit?: number
  readonly after_seq?: number
  readonly before_seq?: number
  readonly cursor?: string
}
