/**
 * @module The rate-limit counter contract: every RateLimitStore (memory, and the store on SQLite and
 * PostgreSQL) counts the same way. `make` opens a fresh counter store.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RateLimitStore } from './rate-limits.js'

export interface RateLimitHandle {
  readonly store: RateLimitStore
  readonly cleanup: () => Promise<void>
}

const T0 = 1_700_000_040_000 // a multiple of 60 s: windows of a minute start here

export function rateLimitContract(name: string, make: () => Promise<RateLimitHandle>): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let handle: RateLimitHandle | undefined
    beforeAll(async () => {
      handle = await make()
    })
    afterAll(async () => handle?.cleanup())
    const store = () => handle!.store
    const key = () => `test:${randomUUID()}`

    it('counts hits in a fixed window and tells when it ends', async () => {
      const k = key()
      expect(await store().hitRateLimit(k, 60_000, T0)).toEqual({ count: 1, resetAt: T0 + 60_000 })
      expect(await store().hitRateLimit(k, 60_000, T0 + 1_000)).toEqual({ count: 2, resetAt: T0 + 60_000 })
      expect(await store().hitRateLimit(k, 60_000, T0 + 59_999)).toEqual({ count: 3, resetAt: T0 + 60_000 })
    })

    it('starts again from one in the next window', async () => {
      const k = key()
      await store().hitRateLimit(k, 60_000, T0)
      await store().hitRateLimit(k, 60_000, T0 + 1)
      expect(await store().hitRateLimit(k, 60_000, T0 + 60_000)).toEqual({ count: 1, resetAt: T0 + 120_000 })
    })

    it('keeps keys apart, and forgets a cleared key', async () => {
      const [a, b] = [key(), key()]
      await store().hitRateLimit(a, 60_000, T0)
      await store().hitRateLimit(a, 60_000, T0)
      expect((await store().hitRateLimit(b, 60_000, T0)).count).toBe(1)
      await store().clearRateLimit(a)
      expect((await store().hitRateLimit(a, 60_000, T0)).count).toBe(1)
      await store().clearRateLimit(key()) // an unknown key is no error
    })

    it('counts every one of many concurrent hits once', async () => {
      const k = key()
      const counts = await Promise.all(Array.from({ length: 25 }, () => store().hitRateLimit(k, 60_000, T0)))
      expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    })
  })
}
