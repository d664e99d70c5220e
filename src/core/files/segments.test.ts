import { describe, expect, it } from 'vitest'
import { planSegments } from './segments.js'

describe('planSegments', () => {
  const C = 10

  it('cuts a whole-file PATCH into parts, the last one shorter', () => {
    expect(planSegments({ offset: 0, length: 25, sizeBytes: 25, chunkSize: C })).toEqual([
      { kind: 'part', index: 0, fromTail: 0, take: 10 },
      { kind: 'part', index: 1, fromTail: 0, take: 10 },
      { kind: 'part', index: 2, fromTail: 0, take: 5 },
    ])
  })

  it('keeps bytes that do not fill a chunk as the tail, and prefixes them to the next chunk', () => {
    expect(planSegments({ offset: 0, length: 14, sizeBytes: 30, chunkSize: C })).toEqual([
      { kind: 'part', index: 0, fromTail: 0, take: 10 },
      { kind: 'tail', fromTail: 0, take: 4 },
    ])
    expect(planSegments({ offset: 14, length: 3, sizeBytes: 30, chunkSize: C })).toEqual([{ kind: 'tail', fromTail: 4, take: 3 }])
    expect(planSegments({ offset: 17, length: 13, sizeBytes: 30, chunkSize: C })).toEqual([
      { kind: 'part', index: 1, fromTail: 7, take: 3 },
      { kind: 'part', index: 2, fromTail: 0, take: 10 },
    ])
  })

  it('completes the last chunk of a file even when it is short', () => {
    expect(planSegments({ offset: 20, length: 3, sizeBytes: 23, chunkSize: C })).toEqual([{ kind: 'part', index: 2, fromTail: 0, take: 3 }])
    expect(planSegments({ offset: 21, length: 2, sizeBytes: 23, chunkSize: C })).toEqual([{ kind: 'part', index: 2, fromTail: 1, take: 2 }])
  })

  it('plans nothing for an empty PATCH and refuses to run past the end', () => {
    expect(planSegments({ offset: 5, length: 0, sizeBytes: 23, chunkSize: C })).toEqual([])
    expect(() => planSegments({ offset: 20, length: 4, sizeBytes: 23, chunkSize: C })).toThrow(RangeError)
  })

  it('always covers exactly the bytes sent, chunk by chunk', () => {
    for (let trial = 0; trial < 200; trial++) {
      const sizeBytes = 1 + Math.floor(Math.random() * 100)
      const offset = Math.floor(Math.random() * sizeBytes)
      const length = Math.floor(Math.random() * (sizeBytes - offset + 1))
      const segments = planSegments({ offset, length, sizeBytes, chunkSize: C })
      expect(segments.reduce((sum, s) => sum + s.take, 0)).toBe(length)
      for (const s of segments) {
        if (s.kind === 'part') expect(s.fromTail + s.take).toBe(Math.min(C, sizeBytes - s.index * C))
        else expect(s.fromTail + s.take).toBeLessThan(C)
      }
      expect(segments.filter((s) => s.kind === 'tail').length).toBeLessThanOrEqual(1)
    }
  })
})
