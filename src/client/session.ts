/**
 * @module The tokens of one login, refreshed automatically. Refresh tokens rotate and presenting a
 * used one again revokes the whole session, so a refresh must happen exactly once however many
 * calls find the access token stale at the same time: they all wait for the one refresh in flight.
 * A store may also lock across processes (the CLI's does), so two commands sharing a profile never
 * both spend the same refresh token.
 */
import { Chat4AllError } from './errors.js'
import type { TokenPair } from './types.js'

export interface StoredTokens {
  readonly accessToken: string
  readonly refreshToken: string
  /** Epoch milliseconds when the access token expires. */
  readonly expiresAt: number
}

/** Where tokens live between calls: memory by default, a 0600 file for the CLI. */
export interface TokenStore {
  load(): Promise<StoredTokens | undefined>
  save(tokens: StoredTokens | undefined): Promise<void>
  /** Runs `work` while no other process refreshes the same tokens; optional. */
  exclusive?<T>(work: () => Promise<T>): Promise<T>
}

export function memoryTokenStore(initial?: StoredTokens): TokenStore {
  let tokens = initial
  return {
    load: async () => tokens,
    save: async (next) => {
      tokens = next
    },
  }
}

/** Refresh this long before the access token expires, so a call does not race its expiry. */
const EARLY_REFRESH_MS = 30_000

export const toStoredTokens = (pair: TokenPair, now = Date.now()): StoredTokens => ({
  accessToken: pair.access_token,
  refreshToken: pair.refresh_token,
  expiresAt: now + pair.expires_in * 1000,
})

export class TokenSession {
  private inFlight: Promise<StoredTokens> | undefined

  constructor(
    private readonly store: TokenStore,
    /** Exchanges a refresh token for a new pair (POST /auth/refresh). */
    private readonly exchange: (refreshToken: string) => Promise<TokenPair>,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<StoredTokens | undefined> {
    return this.store.load()
  }

  async set(tokens: StoredTokens | undefined): Promise<void> {
    await this.store.save(tokens)
  }

  /** A usable access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    const tokens = await this.store.load()
    if (!tokens) throw Chat4AllError.client('not_logged_in', 'Not logged in')
    if (tokens.expiresAt - EARLY_REFRESH_MS > this.now()) return tokens.accessToken
    return (await this.refreshFrom(tokens.accessToken)).accessToken
  }

  /**
   * Replaces the access token `stale` (one the server refused, or that expires): the one refresh
   * in flight is shared, and a token someone already replaced is not refreshed again.
   */
  refreshFrom(stale: string): Promise<StoredTokens> {
    this.inFlight ??= this.refreshOnce(stale).finally(() => {
      this.inFlight = undefined
    })
    return this.inFlight
  }

  private async refreshOnce(stale: string): Promise<StoredTokens> {
    const run = async () => {
      // Reread: another process (or an earlier refresh) may have replaced the tokens already.
      const tokens = await this.store.load()
      if (!tokens) throw Chat4AllError.client('not_logged_in', 'Not logged in')
      if (tokens.accessToken !== stale && tokens.expiresAt - EARLY_REFRESH_MS > this.now()) return tokens
      let pair: TokenPair
      try {
        pair = await this.exchange(tokens.refreshToken)
      } catch (error) {
        // A refused refresh token will never work again: forget it, so the next call says "log in".
        if (error instanceof Chat4AllError && error.status === 401) await this.store.save(undefined)
        throw error
      }
      const next = toStoredTokens(pair, this.now())
      await this.store.save(next)
      return next
    }
    return this.store.exclusive ? this.store.exclusive(run) : run()
  }
}
