/** @module Building blocks every wire shape uses: ids, times, sequence numbers, free-form metadata, pages. */
import { Type, type Static, type TSchema } from '@sinclair/typebox'

export const Uuid = Type.String({ format: 'uuid' })

/** Times on the wire are ISO-8601 strings in UTC, e.g. 2026-01-31T12:00:00.000Z. */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 time (UTC)' })

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/**
 * A sequence number. Every number in a schema has a maximum: a query string's `Infinity` or
 * `1e309` is a number to the validator, and would otherwise reach the database (the server's
 * validator compiler refuses to start with an unbounded number).
 */
export const Seq = (minimum: number, description?: string) =>
  Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) })

/** A count or size: a non-negative integer below 2^53. */
export const Count = (description?: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) })

export const Metadata = Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form JSON object, returned as given' })

export const MemberReference = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'A user id, a username, or an external address such as whatsapp:+5511999998888',
})

/** Every list answers with one of these beside its items. */
export const Pagination = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200 }),
    returned: Type.Integer({ minimum: 0, maximum: 200 }),
    has_more: Type.Boolean(),
    next_cursor: Nullable(Type.String({ description: 'Pass as `cursor` (or `before` for dead letters) to get the next page' })),
  },
  { title: 'Pagination' },
)
export type Pagination = Static<typeof Pagination>

export const PageLimit = Type.Integer({ minimum: 1, maximum: 200, description: 'Items per page (default 50)' })
export const PageCursor = (maxLength: number) => Type.String({ maxLength, description: 'The next_cursor of the previous page' })
