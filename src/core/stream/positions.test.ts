import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import { formatCursor, parseCursor } from './positions.js'

describe('stream positions', () => {
  it('round-trips a cursor, ids with separators included', () => {
    const positions = new Map([
      ['6f1c0e3a-9b0e-4c55-8d7e-1a2b3c4d5e6f', 12],
      ['odd:id,with separators', 0],
    ])
    const cursor = formatCursor(positions)
    expect(cursor).toBe('6f1c0e3a-9b0e-4c55-8d7e-1a2b3c4d5e6f:12,odd%3Aid%2Cwith%20separators:0')
    expect(parseCursor(cursor, 'positions')).toEqual(positions)
  })

  it('reads an empty cursor as no positions', () => {
    expect(parseCursor('', 'positions').size).toBe(0)
    expect(parseCursor('  ', 'positions').size).toBe(0)
  })

  it('refuses what is not a position, naming the field', () => {
    for (const bad of ['abc', ':5', 'c:-1', 'c:1.5', 'c:x', 'c:5,', 'c:99999999999999999999']) {
      expect(() => parseCursor(bad, 'Last-Event-ID'), bad).toThrow(AppError)
      try {
        parseCursor(bad, 'Last-Event-ID')
      } catch (error) {
        expect((error as AppError).field).toBe('Last-Event-ID')
      }
    }
  })
})
