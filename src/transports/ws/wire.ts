/**
 * @module The JSON wire form of stream frames, shared by WebSocket and SSE. Every frame has a
 * `type` and a `position`: `{conversation_id, seq}` on frames that move the client's position in
 * a conversation (a message, a reset), null on the others (state and ephemeral events).
 * An event sent to many connections is serialised once.
 */
import { errorCodes } from '../../core/errors.js'
import type { SentMessage, StreamFrame } from '../../core/stream/frames.js'
import type { LiveEvent } from '../../core/stream/live-event.js'
import { iso, presentMessage } from '../http/present.js'

const position = (conversationId: string, seq: number) => ({ conversation_id: conversationId, seq })

function eventBody(event: LiveEvent): Record<string, unknown> {
  switch (event.type) {
    case 'message.created':
      return {
        position: position(event.conversationId, event.seq),
        message: presentMessage({ ...event, id: event.messageId, bodyHash: '' }),
      }
    case 'message.status':
      return {
        position: null,
        conversation_id: event.conversationId,
        member: event.memberId,
        status: event.status,
        up_to_seq: event.upToSeq,
        message_id: event.messageId,
        at: iso(event.at),
        ...(event.reason !== undefined ? { reason: event.reason } : {}),
      }
    case 'conversation.created':
      return {
        position: null,
        conversation: {
          conversation_id: event.conversationId,
          type: event.conversationType,
          title: event.title,
          metadata: event.metadata,
          created_by: event.createdBy,
          created_at: iso(event.at),
        },
        members: event.members.map((m) => ({ member: m.id, kind: m.kind, role: m.role })),
      }
    case 'conversation.updated':
      return { position: null, conversation_id: event.conversationId, title: event.title, metadata: event.metadata, at: iso(event.at) }
    case 'member.joined':
      return {
        position: null,
        conversation_id: event.conversationId,
        members: event.members.map((m) => ({ member: m.id, kind: m.kind, role: m.role, joined_after_seq: m.joinedAfterSeq })),
        at: iso(event.at),
      }
    case 'member.left':
      return { position: null, conversation_id: event.conversationId, member: event.memberId, at: iso(event.at) }
    case 'typing':
      return { position: null, conversation_id: event.conversationId, user_id: event.userId, expires_at: iso(event.expiresAt) }
    case 'presence':
      return {
        position: null,
        user_id: event.userId,
        status: event.online ? 'online' : 'offline',
        last_seen_at: iso(event.lastSeenAt),
      }
  }
}

/** What a `send` was made into, like POST /v1/messages' answer; `duplicate` for a repeated message id. */
const sentBody = ({ message, duplicate }: SentMessage) => ({
  message_id: message.id,
  conversation_id: message.conversationId,
  seq: message.seq,
  created_at: iso(message.createdAt),
  status: duplicate ? 'duplicate' : 'accepted',
})

const serialised = new WeakMap<LiveEvent, string>()

function eventJson(event: LiveEvent): string {
  let json = serialised.get(event)
  if (json === undefined) {
    const { position: at, ...rest } = eventBody(event)
    json = JSON.stringify({ type: event.type, position: at, ...rest })
    serialised.set(event, json)
  }
  return json
}

/** The frame as JSON text. */
export function frameJson(frame: StreamFrame): string {
  switch (frame.kind) {
    case 'event':
      return eventJson(frame.event)
    case 'welcome':
      return JSON.stringify({
        type: 'welcome',
        position: null,
        user_id: frame.userId,
        token_expires_at: iso(frame.tokenExpiresAt * 1000),
        heartbeat_ms: frame.heartbeatMs,
      })
    case 'reset':
      return JSON.stringify({ type: 'stream.reset', position: position(frame.conversationId, frame.seq), reason: frame.reason })
    case 'receipts':
      return JSON.stringify({
        type: 'receipts.snapshot',
        position: null,
        conversation_id: frame.conversationId,
        members: frame.members.map((m) => ({
          member: m.id,
          delivered_up_to_seq: m.deliveredUpToSeq,
          read_up_to_seq: m.readUpToSeq,
        })),
      })
    case 'ready':
      return JSON.stringify({ type: 'ready', position: null, replayed: frame.replayed })
    case 'pong':
      return JSON.stringify({ type: 'pong', position: null, ...(frame.id === undefined ? {} : { id: frame.id }) })
    case 'ok':
      return JSON.stringify({
        type: 'ok',
        position: null,
        ...(frame.id === undefined ? {} : { id: frame.id }),
        ...(frame.sent ? sentBody(frame.sent) : {}),
      })
    case 'error':
      // The problem+json fields of the same failure over HTTP (its `type` URI is the code's).
      return JSON.stringify({
        type: 'error',
        position: null,
        ...(frame.id === undefined ? {} : { id: frame.id }),
        code: frame.code,
        title: errorCodes[frame.code].title,
        status: frame.status,
        detail: frame.detail,
        ...(frame.field === undefined ? {} : { field: frame.field }),
      })
  }
}

const encoded = new WeakMap<LiveEvent, Buffer>()

/** The frame as UTF-8 bytes; an event going to many sockets is encoded once. */
export function frameBytes(frame: StreamFrame): Buffer {
  if (frame.kind !== 'event') return Buffer.from(frameJson(frame))
  let bytes = encoded.get(frame.event)
  if (bytes === undefined) {
    bytes = Buffer.from(eventJson(frame.event))
    encoded.set(frame.event, bytes)
  }
  return bytes
}

/** True when the frame moves the client's position (so an SSE event carries an id). */
export function movesPosition(frame: StreamFrame): boolean {
  return frame.kind === 'reset' || (frame.kind === 'event' && frame.event.type === 'message.created')
}
