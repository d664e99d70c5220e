/** @module Opaque cursors: base64url JSON, so clients treat them as tokens and we may change them. */
export { iso } from '../../wire/present.js'

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}
