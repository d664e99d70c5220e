import { describe, expect, it } from 'vitest'
import { exceedsJsonDepth } from './json-depth.js'

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`

describe('exceedsJsonDepth', () => {
  it('accepts nesting up to the bound and refuses one level more', () => {
    expect(exceedsJsonDepth(nested(32), 32)).toBe(false)
    expect(exceedsJsonDepth(nested(33), 32)).toBe(true)
    expect(exceedsJsonDepth(`{"a":${nested(31)}}`, 32)).toBe(false)
    expect(exceedsJsonDepth(`{"a":${nested(32)}}`, 32)).toBe(true)
  })

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(JSON.stringify({ text: '[[[[[[[[[[{{{{{{{{' }), 2)).toBe(false)
    expect(exceedsJsonDepth(JSON.stringify({ text: 'say \\"[[[[ "' }), 1)).toBe(false)
    expect(exceedsJsonDepth(`{"a":"\\\\","b":[[[]]]}`, 3)).toBe(true)
  })

  it('handles a hundred thousand levels without recursion', () => {
    expect(exceedsJsonDepth(nested(100_000))).toBe(true)
  })
})
