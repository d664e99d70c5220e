import { describe, expect, it } from 'vitest'
import { createPacer } from './pacer.js'

describe('pacer', () => {
  it('spaces a burst under one limit at the allowed rate', () => {
    const pacer = createPacer({ now: () => 0 })
    const waits = Array.from({ length: 4 }, () => pacer.reserve([['chat:1', { perSecond: 1 }]]))
    expect(waits).toEqual([0, 1000, 2000, 3000])
  })

  it('lets a burst allowance through at once, then paces', () => {
    const pacer = createPacer({ now: () => 0 })
    const waits = Array.from({ length: 5 }, () => pacer.reserve([['bot', { perSecond: 10, burst: 3 }]]))
    expect(waits).toEqual([0, 0, 0, 100, 200])
  })

  it('keeps every limit that applies: per recipient and per account at once', () => {
    const pacer = createPacer({ now: () => 0 })
    const bot = { perSecond: 2 }
    const chat = { perSecond: 1 }
    expect(pacer.reserve([['bot', bot], ['chat:a', chat]])).toBe(0)
    // Another chat is free, but the account limit spaces it.
    expect(pacer.reserve([['bot', bot], ['chat:b', chat]])).toBe(500)
    // Chat a again: its own limit is the tighter one.
    expect(pacer.reserve([['bot', bot], ['chat:a', chat]])).toBe(1000)
  })

  it('does not hold back sends that come slower than the limit', () => {
    const time = { now: 0 }
    const pacer = createPacer({ now: () => time.now })
    for (let i = 0; i < 3; i++) {
      expect(pacer.reserve([['chat:1', { perSecond: 1 }]])).toBe(0)
      time.now += 1500
    }
  })
})
