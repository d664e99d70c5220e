/**
 * @module The API's resources as they travel: users, tokens, conversations, members, messages,
 * receipts, files, webhooks and their deliveries. HTTP responses, stream frames and webhook
 * payloads all use these, so a field has one name everywhere.
 */
import { Type, type Static } from '@sinclair/typebox'
import { Count, Metadata, Nullable, Pagination, Seq, Timestamp, Uuid } from './common.js'

export const User = Type.Object(
  {
    user_id: Uuid,
    username: Type.String(),
    display_name: Type.String(),
    email: Nullable(Type.String()),
    created_at: Timestamp,
  },
  { title: 'User' },
)
export type User = Static<typeof User>

/** `GET /v1/me`: the account itself, with whether it may use /v1/admin. */
export const Me = Type.Composite([User, Type.Object({ is_admin: Type.Boolean() })], { title: 'Me' })
export type Me = Static<typeof Me>

export const TokenPair = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ minimum: 0, maximum: 31_536_000, description: 'Seconds the access token lives' }),
    refresh_token: Type.String({ description: 'Single use: each refresh answers with a new one' }),
  },
  { title: 'TokenPair' },
)
export type TokenPair = Static<typeof TokenPair>

export const MemberRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')])
export const MemberKind = Type.Union([Type.Literal('user'), Type.Literal('external')], {
  description: 'user: a Chat4All account; external: a contact on another platform (whatsapp:+55…)',
})
export const ConversationType = Type.Union([Type.Literal('private'), Type.Literal('group')])

export const Member = Type.Object(
  {
    member_id: Type.String({ description: 'A user id, or an external address such as whatsapp:+5511999998888' }),
    kind: MemberKind,
    role: MemberRole,
    joined_at: Timestamp,
    delivered_up_to_seq: Seq(0),
    read_up_to_seq: Seq(0),
  },
  { title: 'Member' },
)
export type Member = Static<typeof Member>

export const Conversation = Type.Object(
  {
    conversation_id: Uuid,
    type: ConversationType,
    title: Nullable(Type.String()),
    metadata: Nullable(Metadata),
    created_by: Type.String(),
    created_at: Timestamp,
    last_seq: Seq(0, 'The seq of the newest message (0: none yet)'),
    last_activity_at: Timestamp,
    members: Type.Optional(Type.Array(Member)),
  },
  { title: 'Conversation' },
)
export type Conversation = Static<typeof Conversation>

export const AttachedFile = Type.Object(
  { filename: Type.String(), size_bytes: Count(), mimetype: Type.String(), checksum: Type.String() },
  { title: 'AttachedFile' },
)

export const TextPayload = Type.Object(
  { type: Type.Literal('text'), text: Type.String({ minLength: 1 }) },
  { title: 'TextPayload' },
)
export const FilePayload = Type.Object(
  {
    type: Type.Literal('file'),
    file_id: Type.String({ minLength: 1, maxLength: 100 }),
    text: Type.Optional(Type.String({ description: 'A caption' })),
  },
  { title: 'FilePayload' },
)

/** A stored message's payload: a file one also names the file it carries. */
export const MessagePayload = Type.Union(
  [TextPayload, Type.Composite([FilePayload, Type.Object({ file: Type.Optional(AttachedFile) })], { title: 'StoredFilePayload' })],
  { title: 'MessagePayload' },
)
export type MessagePayload = Static<typeof MessagePayload>

export const DeliveryStatus = Type.Union(
  [Type.Literal('SENT'), Type.Literal('DELIVERED'), Type.Literal('READ'), Type.Literal('FAILED')],
  { description: 'SENT and FAILED come from external recipients only: their platform accepted or refused the message' },
)
export type DeliveryStatus = Static<typeof DeliveryStatus>

export const Message = Type.Object(
  {
    message_id: Uuid,
    conversation_id: Uuid,
    seq: Seq(1),
    sender_id: Type.String(),
    payload: MessagePayload,
    content: Nullable(Type.String({ description: "The payload's text, as the first API had it" })),
    metadata: Nullable(Metadata),
    created_at: Timestamp,
    status: Type.Optional(DeliveryStatus),
  },
  { title: 'Message' },
)
export type Message = Static<typeof Message>

/** One member's progress on one message. */
export const Receipt = Type.Object(
  {
    member_id: Type.String(),
    status: DeliveryStatus,
    delivered_at: Nullable(Timestamp),
    read_at: Nullable(Timestamp),
    reason: Type.Optional(Type.String({ description: 'With FAILED: why the platform refused it' })),
  },
  { title: 'Receipt' },
)
export type Receipt = Static<typeof Receipt>

export const MessageDetail = Type.Composite([Message, Type.Object({ receipts: Type.Array(Receipt) })], { title: 'MessageDetail' })
export type MessageDetail = Static<typeof MessageDetail>

/** What a send answers: 202 for a new message, 200 with the original for a repeated `message_id`. */
export const MessageAccepted = Type.Object(
  { status: Type.Literal('accepted'), message_id: Uuid, conversation_id: Uuid, seq: Seq(1), created_at: Timestamp },
  { title: 'MessageAccepted' },
)
export type MessageAccepted = Static<typeof MessageAccepted>

export const MessageRead = Type.Composite([Type.Object({ message_id: Type.String() }), Receipt], { title: 'MessageRead' })
export type MessageRead = Static<typeof MessageRead>

export const ConversationRead = Type.Object(
  { conversation_id: Uuid, read_up_to_seq: Seq(0), delivered_up_to_seq: Seq(0) },
  { title: 'ConversationRead' },
)
export type ConversationRead = Static<typeof ConversationRead>

export const ConversationSummary = Type.Composite(
  [
    Type.Omit(Conversation, ['members']),
    Type.Object({ last_message: Nullable(Message), unread_count: Count() }),
  ],
  { title: 'ConversationSummary' },
)
export type ConversationSummary = Static<typeof ConversationSummary>

export const ConversationPage = Type.Object({ conversations: Type.Array(ConversationSummary), pagination: Pagination }, { title: 'ConversationPage' })
export type ConversationPage = Static<typeof ConversationPage>

export const MessagePage = Type.Object(
  { conversation_id: Uuid, messages: Type.Array(Message), pagination: Pagination },
  { title: 'MessagePage' },
)
export type MessagePage = Static<typeof MessagePage>

export const MembersAdded = Type.Composite([Conversation, Type.Object({ added: Type.Array(Member) })], { title: 'MembersAdded' })
export type MembersAdded = Static<typeof MembersAdded>

export const Checksum = Nullable(Type.String({ description: 'sha256:<hex> once the bytes are complete' }))

export const UploadedFile = Type.Object(
  {
    file_id: Uuid,
    filename: Type.String(),
    size_bytes: Count(),
    mimetype: Type.String(),
    checksum: Checksum,
    uploaded_at: Nullable(Timestamp),
  },
  { title: 'UploadedFile' },
)
export type UploadedFile = Static<typeof UploadedFile>

export const FileInfo = Type.Composite(
  [
    UploadedFile,
    Type.Object({
      state: Type.Union([Type.Literal('uploading'), Type.Literal('ready')]),
      owner_id: Type.String(),
      conversation_id: Nullable(Uuid),
      created_at: Timestamp,
      upload: Type.Optional(
        Type.Object({
          protocol: Type.Union([Type.Literal('tus'), Type.Literal('chunked'), Type.Literal('simple')]),
          chunk_size: Count(),
          expires_at: Timestamp,
        }),
      ),
    }),
  ],
  { title: 'FileInfo' },
)
export type FileInfo = Static<typeof FileInfo>

export const DownloadLink = Type.Object(
  {
    download_url: Type.String({ format: 'uri' }),
    expires_at: Timestamp,
    expires_in: Count('Seconds the link stays valid'),
    file_id: Uuid,
    filename: Type.String(),
    size_bytes: Count(),
    mimetype: Type.String(),
    checksum: Checksum,
  },
  { title: 'DownloadLink' },
)
export type DownloadLink = Static<typeof DownloadLink>

export const ChunkedUpload = Type.Object(
  {
    upload_id: Uuid,
    file_id: Uuid,
    filename: Type.String(),
    size_bytes: Count(),
    mimetype: Type.String(),
    chunk_size: Count(),
    total_chunks: Count(),
    expires_at: Timestamp,
    part_urls: Type.Optional(
      Type.Array(Type.Object({ index: Count(), url: Type.String({ format: 'uri' }) }), {
        description: 'S3 only: PUT each chunk straight to its URL, then complete with the ETags',
      }),
    ),
  },
  { title: 'ChunkedUpload' },
)
export type ChunkedUpload = Static<typeof ChunkedUpload>

export const ChunkReceived = Type.Object(
  { upload_id: Uuid, index: Count(), size_bytes: Count(), etag: Type.String() },
  { title: 'ChunkReceived' },
)
export type ChunkReceived = Static<typeof ChunkReceived>

export const UploadStatus = Type.Object(
  {
    upload_id: Uuid,
    file_id: Uuid,
    state: Type.Union([Type.Literal('uploading'), Type.Literal('ready')]),
    filename: Type.String(),
    size_bytes: Count(),
    chunk_size: Nullable(Count()),
    total_chunks: Count(),
    received_chunks: Type.Array(Count()),
    missing_chunks: Type.Array(Count()),
    bytes_received: Count(),
    expires_at: Nullable(Timestamp),
  },
  { title: 'UploadStatus' },
)
export type UploadStatus = Static<typeof UploadStatus>

export const Webhook = Type.Object(
  {
    webhook_id: Uuid,
    url: Type.String(),
    events: Type.Array(Type.String()),
    created_at: Timestamp,
    secret: Type.Optional(Type.String({ description: 'The signing secret; shown to its owner, never in lists' })),
  },
  { title: 'Webhook' },
)
export type Webhook = Static<typeof Webhook>

export const WebhookList = Type.Object({ webhooks: Type.Array(Webhook) }, { title: 'WebhookList' })
export type WebhookList = Static<typeof WebhookList>

export const DeliveryState = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])

export const WebhookDelivery = Type.Object(
  {
    delivery_id: Uuid,
    webhook_id: Uuid,
    event_id: Type.String(),
    event_type: Type.String(),
    conversation_id: Nullable(Type.String()),
    status: DeliveryState,
    attempt_count: Count(),
    next_attempt_at: Nullable(Timestamp),
    created_at: Timestamp,
    finished_at: Nullable(Timestamp),
    replay_of: Nullable(Type.String()),
    attempts: Type.Array(
      Type.Object({
        attempt: Count(),
        at: Timestamp,
        status_code: Nullable(Type.Integer({ minimum: 0, maximum: 999 })),
        error: Nullable(Type.String()),
        duration_ms: Count(),
      }),
    ),
  },
  { title: 'WebhookDelivery' },
)
export type WebhookDelivery = Static<typeof WebhookDelivery>

export const DeliveryPage = Type.Object({ deliveries: Type.Array(WebhookDelivery), pagination: Pagination }, { title: 'DeliveryPage' })
export type DeliveryPage = Static<typeof DeliveryPage>

export const Identity = Type.Object(
  { platform: Type.String(), value: Type.String(), address: Type.String(), created_at: Timestamp },
  { title: 'Identity' },
)
export type Identity = Static<typeof Identity>
export const IdentityList = Type.Object({ identities: Type.Array(Identity) }, { title: 'IdentityList' })
export type IdentityList = Static<typeof IdentityList>

export const Health = Type.Object({ status: Type.Literal('UP') }, { title: 'Health' })
export const Readiness = Type.Object(
  {
    status: Type.Literal('UP'),
    checks: Type.Object({ store: Type.Literal('UP') }),
    details: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'The channels’ circuit breakers' })),
  },
  { title: 'Readiness' },
)

export const DeadLetter = Type.Object(
  {
    id: Type.String(),
    group: Type.String({ description: 'The consumer group that gave up: fanout, webhooks, channels …' }),
    event_id: Type.String(),
    event_type: Type.String(),
    conversation_id: Nullable(Type.String()),
    event: Type.Unknown({ description: 'The event as webhook endpoints receive it' }),
    error: Type.String(),
    attempts: Count(),
    at: Timestamp,
  },
  { title: 'DeadLetter' },
)
export type DeadLetter = Static<typeof DeadLetter>
export const DeadLetterPage = Type.Object({ dead_letters: Type.Array(DeadLetter), pagination: Pagination }, { title: 'DeadLetterPage' })
export type DeadLetterPage = Static<typeof DeadLetterPage>
export const ReplayQueued = Type.Object({ status: Type.Literal('queued'), replay_event_id: Type.String() }, { title: 'ReplayQueued' })

export const ChannelStates = Type.Object(
  { channels: Type.Array(Type.Object({ channel: Type.String() }, { additionalProperties: true, description: 'The channel account and its circuit breaker' })) },
  { title: 'ChannelStates' },
)

/** The TypeScript type of each schema above (clients import these). */
export type MemberRole = Static<typeof MemberRole>
export type MemberKind = Static<typeof MemberKind>
export type ConversationType = Static<typeof ConversationType>
export type AttachedFile = Static<typeof AttachedFile>
export type TextPayload = Static<typeof TextPayload>
export type FilePayload = Static<typeof FilePayload>
export type Checksum = Static<typeof Checksum>
export type DeliveryState = Static<typeof DeliveryState>
export type Health = Static<typeof Health>
export type Readiness = Static<typeof Readiness>
export type ReplayQueued = Static<typeof ReplayQueued>
export type ChannelStates = Static<typeof ChannelStates>

const count = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description })

/** GET /v1/admin/stats. */
export const AdminStats = Type.Object({
  users: count('Accounts'),
  conversations: count('Conversations, 1:1 and groups'),
  dead_letters: count('Events the bus consumers gave up on, waiting for an operator'),
  outbox: Type.Object({
    depth: count('Events accepted and not yet handed to the bus'),
    oldest_age_ms: count('Age of the oldest of them; 0 when the outbox is empty'),
  }),
  process: Type.Object(
    {
      id: Type.String({ description: 'This process (host name and pid)' }),
      roles: Type.Array(Type.String(), { description: 'api, worker, relay, connector' }),
      started_at: Type.String({ format: 'date-time' }),
      uptime_seconds: count('Seconds since it started'),
      connected_clients: count('Live connections (WebSocket and SSE) held by this process'),
      messages_per_minute: Type.Union([count('Messages this process accepted in the last 60 seconds'), Type.Null()], {
        description: 'Messages this process accepted in the last 60 seconds; null with CHAT4ALL_METRICS=off',
      }),
      resident_bytes: count('Resident memory of this process'),
    },
    { description: 'The process that answered: each API process reports itself; Prometheus sees them all' },
  ),
})
export type AdminStats = Static<typeof AdminStats>
