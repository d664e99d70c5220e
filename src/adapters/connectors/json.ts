/**
 * @module Reading platform JSON without trusting its shape: webhooks and API answers are parsed at
 * this edge into our types, and a missing or mistyped field reads as undefined instead of throwing
 * deep inside a mapper.
 */

export type JsonObject = Readonly<Record<string, unknown>>

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/** Strings as they are; numbers as their decimal text (platform ids come as either). */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  return undefined
}

/** The objects of an array field, skipping anything else. */
export function objectsOf(value: unknown): JsonObject[] {
  return asArray(value).flatMap((item) => {
    const object = asObject(item)
    return object ? [object] : []
  })
}

/** The JSON of a webhook body; throws a plain Error on bytes that are not a JSON object. */
export function parseJsonObject(raw: Buffer, what: string): JsonObject {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw new Error(`${what} is not JSON`, { cause: error })
  }
  const object = asObject(parsed)
  if (!object) throw new Error(`${what} is not a JSON object`)
  return object
}

/** Fields of `object` that are defined, so optional properties stay absent rather than undefined. */
export function defined<T extends Record<string, unknown>>(object: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }
}
