import { describe, expect, it } from 'vitest'
import { bytes, parseBytes, relativeTime, table } from './style.js'

describe('output for people', () => {
  it('reads rates like curl: plain bytes, k, M, G', () => {
    expect(parseBytes('500')).toBe(500)
    expect(parseBytes('500k')).toBe(512_000)
    expect(parseBytes('2M')).toBe(2 * 1024 * 1024)
    expect(parseBytes('1.5G')).toBe(1.5 * 1024 ** 3)
    expect(() => parseBytes('fast')).toThrow(/not a size/)
  })

  it('says sizes and times the way people read them', () => {
    expect(bytes(999)).toBe('999 B')
    expect(bytes(30_000_000)).toBe('28.6 MiB')
    const now = Date.parse('2026-01-05T10:00:00Z')
    expect(relativeTime('2026-01-05T09:59:50Z', now)).toBe('just now')
    expect(relativeTime('2026-01-05T09:55:00Z', now)).toBe('5 min ago')
    expect(relativeTime('2026-01-05T07:00:00Z', now)).toBe('3 h ago')
    expect(relativeTime('2026-01-01T10:00:00Z', now)).toBe('4 d ago')
    expect(relativeTime(null, now)).toBe('-')
  })

  it('aligns table columns to their widest cell', () => {
    expect(table(['ID', 'NAME'], [['1', 'alice'], ['200', 'bob']]).replace(/\x1b\[[0-9;]*m/g, '').split('\n')).toEqual(['ID   NAME', '1    alice', '200  bob'])
  })
})
