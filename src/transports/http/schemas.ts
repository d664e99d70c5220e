/** @module Request schemas (TypeBox → JSON Schema): the single source for validation and API docs. */
import { Type } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
/**
 * A sequence number. Every number in a schema has a maximum: a query string's `Infinity` or
 * `1e309` is a number to the validator, and would otherwise reach the database (validation.ts checks).
 */
const Seq = (minimum: number) => Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER })
const Metadata = Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form JSON object' })

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

const MemberReference = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'A user id, a username, or an external address such as whatsapp:+5511999998888',
})

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
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), cursor: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
)

export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    after_seq: Type.Optional(Seq(0)),
    before_seq: Type.Optional(Seq(1)),
    offset: Type.Optional(Seq(0)),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

const Payload = Type.Object(
  {
    type: Type.Union([Type.Literal('text'), Type.Literal('file')]),
    text: Type.Optional(Type.String()),
    file_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
)

/**
 * Both message bodies in one schema: the current one (`payload`, `to`, `message_id`) and the compact
 * one of the first Chat4All API (`content`, `recipient_id`/`receiver_id`, `file_id`). The route
 * normalises them and refuses a mix.
 */
export const SendMessageBody = Type.Object(
  {
    message_id: Type.Optional(Uuid),
    conversation_id: Type.Optional(Uuid),
    to: Type.Optional(MemberReference),
    payload: Type.Optional(Payload),
    metadata: Type.Optional(Metadata),
    content: Type.Optional(Type.String()),
    recipient_id: Type.Optional(MemberReference),
    receiver_id: Type.Optional(MemberReference),
    file_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Type.String({ maxLength: 100 })),
    sender_id: Type.Optional(Type.String({ maxLength: 100 })),
    channels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 50 }), {
        maxItems: 20,
        description: 'Also deliver to Chat4All recipients through their linked identities on these channels, or ["all"]',
      }),
    ),
  },
  { additionalProperties: false },
)

export const ReadUpToBody = Type.Object({ up_to_seq: Seq(0) }, { additionalProperties: false })
