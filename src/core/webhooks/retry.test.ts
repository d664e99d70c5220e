import { describe, expect, it } from 'vitest'
import { defaultRetryPolicy, nextAttemptAt, nominalDelayMs } from './retry.js'

describe('webhook retry schedule', () => {
  it('spreads the default 10 attempts over about 24 hours', () => {
    const waits = Array.from({ length: defaultRetryPolicy.maxAttempts - 1 }, (_, i) => nominalDelayMs(defaultRetryPolicy, i + 1))
    expect(waits.map((ms) => ms / 60_000)).toEqual([1, 3, 9, 27, 81, 243, 360, 360, 360])
    const hours = waits.reduce((a, b) => a + b, 0) / 3600_000
    expect(hours).toBeGreaterThan(23)
    expect(hours).toBeLessThan(25)
  })

  it('jitters each wait by at most 20% and gives up after the last attempt', () => {
    const policy = { maxAttempts: 3, baseMs: 1_000, capMs: 2_000 }
    expect(nextAttemptAt(policy, 1, 0, () => 0)).toBe(800)
    expect(nextAttemptAt(policy, 1, 0, () => 1)).toBe(1_200)
    expect(nextAttemptAt(policy, 2, 10, () => 0.5)).toBe(10 + 2_000)
    expect(nextAttemptAt(policy, 3, 0)).toBeUndefined()
  })
})
