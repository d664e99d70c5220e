/** @module Client → server frames: parsed and checked here, so the session gets only valid commands. */
import { errors } from '../../core/errors.js'
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../core/json-depth.js'
import type { SendInput } from '../../core/messaging.js'
import type { ClientCommand } from '../../core/stream/frames.js'
import { readSendBody } from '../send-input.js'

/** A message to send: the body of POST /v1/messages, checked the same way. */
export interface SendCommand {
  readonly type: 'send'
  readonly id?: string
  readonly input: SendInput
}

export type StreamCommand = ClientCommand | SendCommand

const MAX_ID = 64

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw errors.validation(field, `'${field}' must be a non-empty string`)
  }
  return value
}

function seq(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw errors.validation(field, `'${field}' must be an integer ≥ 0`)
  }
  return value
}

/** The client's correlation id, echoed in the `ok` or `error` reply; absent when not given. */
export function commandId(frame: unknown): string | undefined {
  const id = (frame as { id?: unknown } | null)?.id
  if (typeof id === 'string' && id.length <= MAX_ID) return id
  if (typeof id === 'number' && Number.isFinite(id)) return String(id)
  return undefined
}

/**
 * Parses one text frame of the caller's; throws `validation_failed` for anything else, or for a
 * `send` whatever POST /v1/messages would refuse the body with.
 */
export function parseCommand(raw: string, callerId: string): StreamCommand {
  let frame: unknown
  if (exceedsJsonDepth(raw)) throw errors.jsonTooDeep('frame', MAX_JSON_DEPTH)
  try {
    frame = JSON.parse(raw)
  } catch (cause) {
    throw Object.assign(errors.validation('frame', 'A frame is one JSON object'), { cause })
  }
  if (typeof frame !== 'object' || frame === null) throw errors.validation('frame', 'A frame is one JSON object')
  const body = frame as Record<string, unknown>
  const id = commandId(frame)
  const withId = id === undefined ? {} : { id }
  switch (body['type']) {
    case 'ping':
      return { type: 'ping', ...withId }
    case 'ack':
    case 'read':
      return {
        type: body['type'],
        ...withId,
        conversationId: text(body['conversation_id'], 'conversation_id'),
        upToSeq: seq(body['up_to_seq'], 'up_to_seq'),
      }
    case 'typing':
      return { type: 'typing', ...withId, conversationId: text(body['conversation_id'], 'conversation_id') }
    case 'send': {
      // The frame is the message body with `type` and `id` beside it.
      const { type: _type, id: _id, ...message } = body
      return { type: 'send', ...withId, input: readSendBody(message, callerId) }
    }
    default:
      throw errors.validation('type', `Unknown command type ${JSON.stringify(body['type'])}; known: send, ack, read, typing, ping`)
  }
}
