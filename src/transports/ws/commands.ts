/** @module Client → server frames: parsed and checked here, so the session gets only valid commands. */
import { errors } from '../../core/errors.js'
import type { ClientCommand } from '../../core/stream/frames.js'

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

/** Parses one text frame; throws `validation_failed` / `malformed_json` for anything else. */
export function parseCommand(raw: string): ClientCommand {
  let frame: unknown
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
    default:
      throw errors.validation('type', `Unknown command type ${JSON.stringify(body['type'])}; known: ack, read, typing, ping`)
  }
}
