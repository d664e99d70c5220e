/**
 * @module The events the platform pushes, shaped once. Each event's `data` is the same object on
 * the stream (a frame is `{type, position, ...data}`) and in a webhook payload
 * (`{id, type, created_at, data}`), so one event has one shape everywhere.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { DomainEvent } from '../core/model.js'
import type { LiveEvent } from '../core/stream/live-event.js'
import { Metadata, Nullable, Seq, Timestamp, Uuid } from './common.js'
import { iso, presentMessage } from './present.js'
import { ConversationType, DeliveryStatus, MemberKind, MemberRole, Message } from './resources.js'

export const MessageCreatedData = Type.Object({ message: Message }, { title: 'MessageCreatedData' })
export type MessageCreatedData = Static<typeof MessageCreatedData>

export const MessageStatusData = Type.Object(
  {
    conversation_id: Uuid,
    member_id: Type.String({ description: 'Whose status changed: a user id or an external address' }),
    status: DeliveryStatus,
    up_to_seq: Seq(0, 'Every message up to this seq reached the status (a watermark), unless message_id is set'),
    message_id: Nullable(Type.String({ description: 'Set when one message was marked' })),
    at: Timestamp,
    reason: Type.Optional(Type.String({ description: 'With FAILED: why' })),
  },
  { title: 'MessageStatusData' },
)
export type MessageStatusData = Static<typeof MessageStatusData>

export const ConversationCreatedData = Type.Object(
  {
    conversation: Type.Object({
      conversation_id: Uuid,
      type: ConversationType,
      title: Nullable(Type.String()),
      metadata: Nullable(Metadata),
      created_by: Type.String(),
      created_at: Timestamp,
    }),
    members: Type.Array(Type.Object({ member_id: Type.String(), kind: MemberKind, role: MemberRole })),
  },
  { title: 'ConversationCreatedData' },
)
export type ConversationCreatedData = Static<typeof ConversationCreatedData>

export const ConversationUpdatedData = Type.Object(
  { conversation_id: Uuid, title: Nullable(Type.String()), metadata: Nullable(Metadata), at: Timestamp },
  { title: 'ConversationUpdatedData', description: 'The conversation’s title and metadata after the change' },
)
export type ConversationUpdatedData = Static<typeof ConversationUpdatedData>

export const MemberJoinedData = Type.Object(
  {
    conversation_id: Uuid,
    members: Type.Array(
      Type.Object({
        member_id: Type.String(),
        kind: MemberKind,
        role: MemberRole,
        joined_after_seq: Seq(0, 'The member receives the messages above this seq'),
      }),
    ),
    at: Timestamp,
  },
  { title: 'MemberJoinedData' },
)
export type MemberJoinedData = Static<typeof MemberJoinedData>

export const MemberLeftData = Type.Object({ conversation_id: Uuid, member_id: Type.String(), at: Timestamp }, { title: 'MemberLeftData' })
export type MemberLeftData = Static<typeof MemberLeftData>

export const TypingData = Type.Object(
  { conversation_id: Uuid, user_id: Type.String(), expires_at: Timestamp },
  { title: 'TypingData', description: 'Show the indicator until expires_at unless renewed. Never stored.' },
)
export type TypingData = Static<typeof TypingData>

export const PresenceData = Type.Object(
  {
    user_id: Type.String(),
    status: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    last_seen_at: Nullable(Timestamp),
  },
  { title: 'PresenceData' },
)
export type PresenceData = Static<typeof PresenceData>

/** The `data` of every domain event (those webhooks carry), by type. */
export const domainEventData = {
  'message.created': MessageCreatedData,
  'message.status': MessageStatusData,
  'conversation.created': ConversationCreatedData,
  'conversation.updated': ConversationUpdatedData,
  'member.joined': MemberJoinedData,
  'member.left': MemberLeftData,
} as const satisfies Record<DomainEvent['type'], unknown>

/** The `data` of every live event (those the stream carries), by type. */
export const liveEventData = { ...domainEventData, typing: TypingData, presence: PresenceData } as const

export type LiveEventData = {
  [K in keyof typeof liveEventData]: Static<(typeof liveEventData)[K]>
}

/** An event's data in its wire shape (the one place that maps the model's fields to the wire's). */
export function presentEventData<E extends LiveEvent>(event: E): LiveEventData[E['type']]
export function presentEventData(event: LiveEvent): LiveEventData[keyof LiveEventData] {
  switch (event.type) {
    case 'message.created':
      return { message: presentMessage({ ...event, id: event.messageId }) } satisfies MessageCreatedData
    case 'message.status':
      return {
        conversation_id: event.conversationId,
        member_id: event.memberId,
        status: event.status,
        up_to_seq: event.upToSeq,
        message_id: event.messageId,
        at: iso(event.at),
        ...(event.reason !== undefined ? { reason: event.reason } : {}),
      } satisfies MessageStatusData
    case 'conversation.created':
      return {
        conversation: {
          conversation_id: event.conversationId,
          type: event.conversationType,
          title: event.title,
          metadata: event.metadata,
          created_by: event.createdBy,
          created_at: iso(event.at),
        },
        members: event.members.map((m) => ({ member_id: m.id, kind: m.kind, role: m.role })),
      } satisfies ConversationCreatedData
    case 'conversation.updated':
      return { conversation_id: event.conversationId, title: event.title, metadata: event.metadata, at: iso(event.at) } satisfies ConversationUpdatedData
    case 'member.joined':
      return {
        conversation_id: event.conversationId,
        members: event.members.map((m) => ({ member_id: m.id, kind: m.kind, role: m.role, joined_after_seq: m.joinedAfterSeq })),
        at: iso(event.at),
      } satisfies MemberJoinedData
    case 'member.left':
      return { conversation_id: event.conversationId, member_id: event.memberId, at: iso(event.at) } satisfies MemberLeftData
    case 'typing':
      return { conversation_id: event.conversationId, user_id: event.userId, expires_at: iso(event.expiresAt) } satisfies TypingData
    case 'presence':
      return { user_id: event.userId, status: event.online ? 'online' : 'offline', last_seen_at: iso(event.lastSeenAt) } satisfies PresenceData
  }
}
