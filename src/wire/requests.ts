/** @module Request bodies, path parameters and query strings: what the API validates at its edge. */
import { Type, type Static } from '@sinclair/typebox'
import { MemberReference, Metadata, PageCursor, PageLimit, Seq, Uuid } from './common.js'

export const RegisterBody = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$' }),
    password: Type.String({ minLength: 8, maxLength: 1024 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
)

export const TokenBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 50 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
)

export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 512 }) }, {
  additionalProperties: false,
})

/** Without a refresh token (or a body), logout ends the session of the access token. */
export const LogoutBody = Type.Object(
  { refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })) },
  { additionalProperties: false },
)

export const CreateConversationBody = Type.Object(
  {
    type: Type.Union([Type.Literal('private'), Type.Literal('group')]),
    members: Type.Array(MemberReference, { minItems: 1, maxItems: 10_000 }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
)

export const AddMembersBody = Type.Object(
  {
    members: Type.Array(MemberReference, { minItems: 1, maxItems: 10_000 }),
    role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('member')])),
  },
  { additionalProperties: false },
)

export const ConversationParams = Type.Object({ id: Uuid })
export const MemberParams = Type.Object({ id: Uuid, member: Type.String({ minLength: 1, maxLength: 100 }) })
export const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) })

export const ListConversationsQuery = Type.Object(
  { limit: Type.Optional(PageLimit), cursor: Type.Optional(PageCursor(500)) },
  { additionalProperties: false },
)

export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    after_seq: Type.Optional(Seq(0, 'Messages after this seq, oldest first')),
    before_seq: Type.Optional(Seq(1, 'Messages before this seq, newest page first (the default: the newest page)')),
    offset: Type.Optional(Seq(0, 'The first API’s name for after_seq')),
    cursor: Type.Optional(PageCursor(200)),
  },
  { additionalProperties: false },
)

export const ReadUpToBody = Type.Object({ up_to_seq: Seq(0) }, { additionalProperties: false })

/** `PATCH /v1/conversations/{id}`: what is given changes; `null` clears it. */
export const UpdateConversationBody = Type.Object(
  {
    title: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    metadata: Type.Optional(Type.Union([Metadata, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1, title: 'UpdateConversationBody' },
)
export type UpdateConversationBody = Static<typeof UpdateConversationBody>

const Channels = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), {
  maxItems: 20,
  description: 'Also deliver to Chat4All recipients through their linked identities on these channels, or ["all"]',
})

/** Fields both message bodies share. */
const commonSendFields = {
  message_id: Type.Optional(Type.String({ format: 'uuid', description: 'Your id for the message: a retry with the same id returns the original' })),
  conversation_id: Type.Optional(Type.String({ format: 'uuid', description: 'Where to send; or name the recipient (`to`) for a private conversation' })),
  metadata: Type.Optional(Metadata),
  from: Type.Optional(Type.String({ maxLength: 100, description: 'Refused unless it is the caller' })),
  sender_id: Type.Optional(Type.String({ maxLength: 100, description: 'Refused unless it is the caller' })),
  channels: Type.Optional(Channels),
}

export const SendTextPayload = Type.Object(
  { type: Type.Literal('text'), text: Type.String({ minLength: 1 }) },
  { additionalProperties: false, title: 'TextPayload' },
)
export const SendFilePayload = Type.Object(
  {
    type: Type.Literal('file'),
    file_id: Type.String({ minLength: 1, maxLength: 100, description: 'An uploaded file of yours (or shared in the conversation)' }),
    text: Type.Optional(Type.String({ description: 'A caption' })),
  },
  { additionalProperties: false, title: 'FilePayload' },
)

/** The body of the current API: a `payload` that is text or a file. */
export const FullSendBody = Type.Object(
  {
    ...commonSendFields,
    to: Type.Optional(MemberReference),
    payload: Type.Union([SendTextPayload, SendFilePayload]),
  },
  { additionalProperties: false, title: 'SendMessageBody' },
)

/** The compact body of the first Chat4All API: `content` and/or `file_id`, recipient by any of three names. */
export const CompactSendBody = Type.Object(
  {
    ...commonSendFields,
    to: Type.Optional(MemberReference),
    recipient_id: Type.Optional(MemberReference),
    receiver_id: Type.Optional(MemberReference),
    content: Type.Optional(Type.String({ minLength: 1, description: 'The text (a caption with file_id)' })),
    file_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  {
    additionalProperties: false,
    title: 'CompactSendMessageBody',
    anyOf: [{ required: ['content'] }, { required: ['file_id'] }],
  },
)

/** `POST /v1/messages` and the stream's `send`: either body, never a mix. */
export const SendMessageBody = Type.Union([FullSendBody, CompactSendBody], { title: 'SendMessage' })
export type SendMessageBody = Static<typeof SendMessageBody>
export type FullSendBody = Static<typeof FullSendBody>
export type CompactSendBody = Static<typeof CompactSendBody>

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL the events are POSTed to' }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      minItems: 1,
      maxItems: 50,
      description: 'Event types (message.created, message.status, conversation.created, …) or * for all',
    }),
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 256, description: 'Signing secret; 32 random bytes are generated when absent' }),
    ),
  },
  { additionalProperties: false },
)
export type CreateWebhookBody = Static<typeof CreateWebhookBody>

export const WebhookParams = Type.Object({ id: Uuid })
export const DeliveryParams = Type.Object({ id: Uuid, delivery_id: Uuid })
export const DeliveryQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    cursor: Type.Optional(PageCursor(200)),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])),
  },
  { additionalProperties: false },
)

export const DeadLetterQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The next_cursor of the previous page' })),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only this consumer group: fanout, webhooks …' })),
  },
  { additionalProperties: false },
)
export const DeadLetterParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) })

export const IdentityBody = Type.Object(
  {
    platform: Type.String({ minLength: 1, maxLength: 50, description: 'whatsapp, instagram, telegram …' }),
    value: Type.String({ minLength: 1, maxLength: 200, description: 'The id on that platform: +5511999998888, an IGSID, a chat id' }),
  },
  { additionalProperties: false },
)
export const IdentityParams = Type.Object({ platform: Type.String({ minLength: 1, maxLength: 50 }), value: Type.String({ minLength: 1, maxLength: 200 }) })

export const FileParams = Type.Object({ id: Uuid })
export const SimpleUploadQuery = Type.Object(
  {
    conversation_id: Type.Optional(Uuid),
    sha256: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
)
export const SignedQuery = Type.Object({
  expires: Type.Optional(Type.String({ maxLength: 20 })),
  signature: Type.Optional(Type.String({ maxLength: 100 })),
})

export const InitiateUploadBody = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 1024 }),
    // Bounded so 1e309 is a 400; sizes over CHAT4ALL_MAX_FILE_BYTES are a 413 from the use case.
    size: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    content_type: Type.Optional(Type.String({ maxLength: 255 })),
    sha256: Type.Optional(Type.String({ maxLength: 100 })),
    conversation_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type InitiateUploadBody = Static<typeof InitiateUploadBody>

export const UploadParams = Type.Object({ upload_id: Uuid })
export const ChunkParams = Type.Object({ upload_id: Uuid, index: Type.Integer({ minimum: 0, maximum: 9999 }) })

export const CompleteUploadBody = Type.Union([
  Type.Null(),
  Type.Object(
    {
      /** Chunks put straight to S3 with presigned part URLs, named by the ETag S3 answered with. */
      parts: Type.Optional(
        Type.Array(
          Type.Object(
            { index: Type.Integer({ minimum: 0, maximum: 9999 }), etag: Type.String({ minLength: 1, maxLength: 200 }) },
            { additionalProperties: false },
          ),
          { maxItems: 10_000 },
        ),
      ),
    },
    { additionalProperties: false },
  ),
])

export const TusParams = Type.Object({ id: Uuid })

/** `GET /v1/stream` (WebSocket) and `GET /v1/events` (SSE): how a stream finds its token and its place. */
export const StreamQuery = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 4096, description: 'The access token, for clients that cannot set headers (EventSource, browsers’ WebSocket)' })),
  positions: Type.Optional(Type.String({ description: 'Where to resume: conversation_id:seq pairs, comma-separated' })),
})
export const EventsQuery = Type.Composite([
  StreamQuery,
  Type.Object({ last_event_id: Type.Optional(Type.String({ description: 'As the Last-Event-ID header' })) }),
])

export const ChannelParams = Type.Object({ channel: Type.String({ maxLength: 50, description: 'whatsapp, instagram, telegram …' }) })

/** The TypeScript type of each schema above (clients import these). */
export type RegisterBody = Static<typeof RegisterBody>
export type TokenBody = Static<typeof TokenBody>
export type RefreshBody = Static<typeof RefreshBody>
export type LogoutBody = Static<typeof LogoutBody>
export type CreateConversationBody = Static<typeof CreateConversationBody>
export type AddMembersBody = Static<typeof AddMembersBody>
export type ConversationParams = Static<typeof ConversationParams>
export type MemberParams = Static<typeof MemberParams>
export type MessageParams = Static<typeof MessageParams>
export type ListConversationsQuery = Static<typeof ListConversationsQuery>
export type HistoryQuery = Static<typeof HistoryQuery>
export type ReadUpToBody = Static<typeof ReadUpToBody>
export type SendTextPayload = Static<typeof SendTextPayload>
export type SendFilePayload = Static<typeof SendFilePayload>
export type WebhookParams = Static<typeof WebhookParams>
export type DeliveryParams = Static<typeof DeliveryParams>
export type DeliveryQuery = Static<typeof DeliveryQuery>
export type DeadLetterQuery = Static<typeof DeadLetterQuery>
export type DeadLetterParams = Static<typeof DeadLetterParams>
export type IdentityBody = Static<typeof IdentityBody>
export type IdentityParams = Static<typeof IdentityParams>
export type FileParams = Static<typeof FileParams>
export type SimpleUploadQuery = Static<typeof SimpleUploadQuery>
export type SignedQuery = Static<typeof SignedQuery>
export type UploadParams = Static<typeof UploadParams>
export type ChunkParams = Static<typeof ChunkParams>
export type CompleteUploadBody = Static<typeof CompleteUploadBody>
export type TusParams = Static<typeof TusParams>
export type StreamQuery = Static<typeof StreamQuery>
export type EventsQuery = Static<typeof EventsQuery>
export type ChannelParams = Static<typeof ChannelParams>
