import { describe, expect, it } from 'vitest'
import { rateLimitContract } from '../../ports/rate-limits.contract.js'
import { createMemoryRateLimitStore } from './memory.js'

rateLimitContract('memory', async () => ({ store: createMemoryRateLimitStore(), cleanup: async () => {} }))

describe('memory rate-limit counters', () => {
  it('sweeps ended windows once many keys are held', async () => {
    const store = createMemoryRateLimitStore({ sweepAbove: 10 })
    for (let i = 0; i < 10; i++) await store.hitRateLimit(`old:${i}`, 1_000, 0)
    await store.hitRateLimit('new', 1_000, 5_000)
    // The old keys' windows ended: a hit on one starts again from 1 whether or not it was swept.
    expect((await store.hitRateLimit('old:0', 1_000, 5_000)).count).toBe(1)
    expect((await store.hitRateLimit('new', 1_000, 5_000)).count).toBe(2)
  })
})
