/**
 * @module The bytes of an event on the NATS bus: the JSON of the OutboxEvent, `onlyGroup` included.
 * Decoding checks only what the bus itself relies on (id, ordering key, group); the handlers own the
 * meaning of the rest.
 */
import type { DomainEvent, OutboxEvent } from '../../core/model.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeEvent(event: OutboxEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event))
}

export type Decoded =
  | { readonly ok: true; readonly event: OutboxEvent }
  /** `standIn` is what the dead letter carries: the fields that could be read, the raw text in `reason`. */
  | { readonly ok: false; readonly reason: string; readonly standIn: OutboxEvent }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** What makes bytes an event the bus can route, or why they are not one. */
function problemWith(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object'
  if (typeof value['id'] !== 'string' || value['id'] === '') return 'no id'
  if (typeof value['createdAt'] !== 'number') return 'no createdAt'
  const event = value['event']
  if (!isRecord(event) || typeof event['type'] !== 'string') return 'no event type'
  if (typeof event['conversationId'] !== 'string') return 'no conversationId (the ordering key)'
  if (value['onlyGroup'] !== undefined && typeof value['onlyGroup'] !== 'string') return 'onlyGroup is not a string'
  return undefined
}

/**
 * @param fallbackId names the stand-in when the bytes carry no id (the stream and sequence).
 * @param storedAt when the bus stored the bytes, the stand-in's `createdAt` if they carry none.
 */
export function decodeEvent(bytes: Uint8Array, fallbackId: string, storedAt: number): Decoded {
  const text = decoder.decode(bytes)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  const problem = value === undefined ? 'not JSON' : problemWith(value)
  if (problem === undefined) return { ok: true, event: value as OutboxEvent }
  const record = isRecord(value) ? value : {}
  const standIn = {
    id: typeof record['id'] === 'string' && record['id'] !== '' ? record['id'] : fallbackId,
    createdAt: typeof record['createdAt'] === 'number' ? record['createdAt'] : storedAt,
    // Not a valid DomainEvent (that is the failure): kept as read so the dead letter loses nothing.
    event: (isRecord(record['event']) ? record['event'] : {}) as unknown as DomainEvent,
  }
  return { ok: false, reason: `undecodable event (${problem}): ${text.slice(0, 500)}`, standIn }
}
