/**
 * @module The stream's frames (WebSocket `/v1/stream` and SSE `/v1/events` carry the same JSON).
 * Every server frame has a `type` and a `position`: `{conversation_id, seq}` on frames that move
 * the client's place in a conversation, null on the others. Event frames are `{type, position,
 * ...data}` with the data webhooks carry too.
 */
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox'
import { errorCodes } from '../core/errors.js'
import { Count, Seq, Timestamp, Uuid } from './common.js'
import { liveEventData } from './events.js'
import { MessageAccepted } from './resources.js'

export const Position = Type.Object(
  { conversation_id: Uuid, seq: Seq(0) },
  { title: 'Position', description: 'Where this frame puts the client in a conversation: resume from it' },
)
export type Position = Static<typeof Position>

const frame = <K extends string, P extends TProperties>(type: K, moves: boolean, data: TObject<P>, description?: string) =>
  Type.Composite([Type.Object({ type: Type.Literal(type), position: moves ? Position : Type.Null() }), data], {
    title: `${type} frame`,
    ...(description ? { description } : {}),
  })

const withId = { id: Type.Optional(Type.String({ maxLength: 100, description: 'The id of the command this answers' })) }

export const MessageCreatedFrame = frame('message.created', true, liveEventData['message.created'])
export const MessageStatusFrame = frame('message.status', false, liveEventData['message.status'])
export const ConversationCreatedFrame = frame('conversation.created', false, liveEventData['conversation.created'])
export const ConversationUpdatedFrame = frame('conversation.updated', false, liveEventData['conversation.updated'])
export const MemberJoinedFrame = frame('member.joined', false, liveEventData['member.joined'])
export const MemberLeftFrame = frame('member.left', false, liveEventData['member.left'])
export const TypingFrame = frame('typing', false, liveEventData.typing)
export const PresenceFrame = frame('presence', false, liveEventData.presence)

export const WelcomeFrame = frame(
  'welcome',
  false,
  Type.Object({ user_id: Type.String(), token_expires_at: Timestamp, heartbeat_ms: Count() }),
  'The first frame of every connection',
)
export const ResetReason = Type.Union([Type.Literal('too_old'), Type.Literal('position_ahead'), Type.Literal('not_a_member')])
export const StreamResetFrame = frame(
  'stream.reset',
  true,
  Type.Object({ reason: ResetReason }),
  'The conversation is not replayed from your position: live events continue after `position.seq`; fetch what came before from history',
)
export const ReceiptsSnapshotFrame = frame(
  'receipts.snapshot',
  false,
  Type.Object({
    conversation_id: Uuid,
    members: Type.Array(Type.Object({ member_id: Type.String(), delivered_up_to_seq: Seq(0), read_up_to_seq: Seq(0) })),
  }),
  'The members’ watermarks now, sent on resume instead of replaying status changes',
)
export const ReadyFrame = frame('ready', false, Type.Object({ replayed: Count() }), 'The replay is over: everything from here on is live')
export const PongFrame = frame('pong', false, Type.Object(withId))
export const OkFrame = frame(
  'ok',
  false,
  Type.Object({
    ...withId,
    ...Type.Partial(Type.Omit(MessageAccepted, ['status'])).properties,
    status: Type.Optional(Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')])),
  }),
  'A command done; for a `send`, once the message is durable, with what it was made into (`duplicate` for a repeated message_id)',
)
export const ErrorFrame = frame(
  'error',
  false,
  Type.Object({
    ...withId,
    code: Type.Union(Object.keys(errorCodes).map((code) => Type.Literal(code))),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    field: Type.Optional(Type.String()),
  }),
  'A command failed: the problem fields of the same failure over HTTP',
)
export const CloseFrame = frame(
  'close',
  false,
  Type.Object({ code: Type.Integer({ minimum: 1000, maximum: 4999 }), reason: Type.String() }),
  'SSE only: the last event before the server ends the response, with the WebSocket close code it stands for',
)

/** Each frame's TypeScript type, by the name of its schema. */
export type MessageCreatedFrame = Static<typeof MessageCreatedFrame>
export type MessageStatusFrame = Static<typeof MessageStatusFrame>
export type ConversationCreatedFrame = Static<typeof ConversationCreatedFrame>
export type ConversationUpdatedFrame = Static<typeof ConversationUpdatedFrame>
export type MemberJoinedFrame = Static<typeof MemberJoinedFrame>
export type MemberLeftFrame = Static<typeof MemberLeftFrame>
export type TypingFrame = Static<typeof TypingFrame>
export type PresenceFrame = Static<typeof PresenceFrame>
export type WelcomeFrame = Static<typeof WelcomeFrame>
export type StreamResetFrame = Static<typeof StreamResetFrame>
export type ReceiptsSnapshotFrame = Static<typeof ReceiptsSnapshotFrame>
export type ReadyFrame = Static<typeof ReadyFrame>
export type PongFrame = Static<typeof PongFrame>
export type OkFrame = Static<typeof OkFrame>
export type ErrorFrame = Static<typeof ErrorFrame>
export type CloseFrame = Static<typeof CloseFrame>

/** Every frame the server sends, by type. */
export const streamFrames = {
  'message.created': MessageCreatedFrame,
  'message.status': MessageStatusFrame,
  'conversation.created': ConversationCreatedFrame,
  'conversation.updated': ConversationUpdatedFrame,
  'member.joined': MemberJoinedFrame,
  'member.left': MemberLeftFrame,
  typing: TypingFrame,
  presence: PresenceFrame,
  welcome: WelcomeFrame,
  'stream.reset': StreamResetFrame,
  'receipts.snapshot': ReceiptsSnapshotFrame,
  ready: ReadyFrame,
  pong: PongFrame,
  ok: OkFrame,
  error: ErrorFrame,
  close: CloseFrame,
} as const

export const StreamFrame = Type.Union(Object.values(streamFrames), { title: 'StreamFrame' })
export type StreamFrame = Static<typeof StreamFrame>
export type StreamFrameOf<K extends keyof typeof streamFrames> = Static<(typeof streamFrames)[K]>

/** What a client sends on the WebSocket. */
export const StreamCommand = Type.Union(
  [
    Type.Object({ type: Type.Union([Type.Literal('ack'), Type.Literal('read')]), ...withId, conversation_id: Uuid, up_to_seq: Seq(0) }, { title: 'ack / read command' }),
    Type.Object({ type: Type.Literal('typing'), ...withId, conversation_id: Uuid }, { title: 'typing command' }),
    Type.Object({ type: Type.Literal('ping'), ...withId }, { title: 'ping command' }),
    Type.Object({ type: Type.Literal('send'), ...withId }, { title: 'send command', description: 'Plus the fields of a POST /v1/messages body', additionalProperties: true }),
  ],
  { title: 'StreamCommand' },
)
export type StreamCommand = Static<typeof StreamCommand>
