/**
 * @module Stream positions: per conversation, the seq of the last message a client has. Written as
 * a compact cursor `conversation:seq,conversation:seq`, which is also the SSE event id, so
 * `Last-Event-ID` resumes an SSE stream and `?positions=` a WebSocket.
 */
import { errors } from '../errors.js'

export type Positions = ReadonlyMap<string, number>

const MAX_ENTRIES = 10_000

/** Parses a cursor; throws `validation_failed` naming `field` when it is not one. */
export function parseCursor(cursor: string, field: string): Map<string, number> {
  const positions = new Map<string, number>()
  if (cursor.trim() === '') return positions
  const entries = cursor.split(',')
  if (entries.length > MAX_ENTRIES) throw errors.validation(field, `At most ${MAX_ENTRIES} positions`)
  for (const entry of entries) {
    const at = entry.lastIndexOf(':')
    const conversationId = decodeURIComponent(entry.slice(0, at).trim())
    const seq = Number(entry.slice(at + 1))
    if (at <= 0 || !Number.isSafeInteger(seq) || seq < 0) {
      throw errors.validation(field, `'${entry}' is not a position; expected conversation_id:seq`)
    }
    positions.set(conversationId, seq)
  }
  return positions
}

export function formatCursor(positions: Iterable<readonly [string, number]>): string {
  const parts: string[] = []
  for (const [conversationId, seq] of positions) parts.push(`${encodeURIComponent(conversationId)}:${seq}`)
  return parts.join(',')
}
