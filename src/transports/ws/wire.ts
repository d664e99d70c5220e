/**
 * @module The JSON wire form of stream frames, shared by WebSocket and SSE. Every frame has a
 * `type` and a `position`: `{conversation_id, seq}` on frames that move the client's position in
 * a conversation (a message, a reset), null on the others (state and ephemeral events).
 * An event sent to many connections is serialised once.
 */
import { errorCodes } from '../../core/errors.js'
import type { SentMessage, StreamFrame } from '../../core/stream/frames.js'
import type { LiveEvent } from '../../core/stream/live-event.js'
import { iso, presentEventData, type StreamFrameOf, type streamFrames } from '../../wire/index.js'

type StreamFrameType = keyof typeof streamFrames

const position = (conversationId: string, seq: number) => ({ conversation_id: conversationId, seq })

/** Only a message moves the client's position; every other event is state or ephemeral. */
const eventPosition = (event: LiveEvent) => (event.type === 'message.created' ? position(event.conversationId, event.seq) : null)

/** What a `send` was made into, like POST /v1/messages' answer; `duplicate` for a repeated message id. */
const sentBody = ({ message, duplicate }: SentMessage) => ({
  message_id: message.id,
  conversation_id: message.conversationId,
  seq: message.seq,
  created_at: iso(message.createdAt),
  status: duplicate ? ('duplicate' as const) : ('accepted' as const),
})

/** A frame as JSON, checked by the compiler against its documented shape (src/wire/frames.ts). */
const text = <K extends StreamFrameType>(frame: StreamFrameOf<K>): string => JSON.stringify(frame)

const serialised = new WeakMap<LiveEvent, string>()

function eventJson(event: LiveEvent): string {
  let json = serialised.get(event)
  if (json === undefined) {
    json = JSON.stringify({ type: event.type, position: eventPosition(event), ...presentEventData(event) })
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
      return text<'welcome'>({
        type: 'welcome',
        position: null,
        user_id: frame.userId,
        token_expires_at: iso(frame.tokenExpiresAt * 1000),
        heartbeat_ms: frame.heartbeatMs,
      })
    case 'reset':
      return text<'stream.reset'>({ type: 'stream.reset', position: position(frame.conversationId, frame.seq), reason: frame.reason })
    case 'receipts':
      return text<'receipts.snapshot'>({
        type: 'receipts.snapshot',
        position: null,
        conversation_id: frame.conversationId,
        members: frame.members.map((m) => ({
          member_id: m.id,
          delivered_up_to_seq: m.deliveredUpToSeq,
          read_up_to_seq: m.readUpToSeq,
        })),
      })
    case 'ready':
      return text<'ready'>({ type: 'ready', position: null, replayed: frame.replayed })
    case 'pong':
      return text<'pong'>({ type: 'pong', position: null, ...(frame.id === undefined ? {} : { id: frame.id }) })
    case 'ok':
      return text<'ok'>({
        type: 'ok',
        position: null,
        ...(frame.id === undefined ? {} : { id: frame.id }),
        ...(frame.sent ? sentBody(frame.sent) : {}),
      })
    case 'error':
      // The problem+json fields of the same failure over HTTP (its `type` URI is the code's).
      return text<'error'>({
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
