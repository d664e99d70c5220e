/** @module Store contract: the store is a RateLimitStore too (the shared counters of scaled-out APIs). */
import { rateLimitContract } from '../rate-limits.contract.js'
import type { StoreFactory } from './harness.js'

export function storeRateLimitContract(make: StoreFactory): void {
  rateLimitContract('the store', async () => make())
}
