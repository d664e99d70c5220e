/**
 * @module The signed-in session. The access token (15 minutes) lives in memory only; the refresh
 * token is kept in localStorage so the session survives a reload and is shared by the tabs of one
 * browser. The platform rotates refresh tokens and revokes a session whose used token is presented
 * again, so tabs refresh one at a time under a Web Lock and re-read the stored token first: a tab
 * never presents a token another tab already spent. See docs/web.md for why localStorage.
 */
import { ApiError, toApiError } from './problem.js'
import type { TokenPair } from './types.js'

const storageKey = 'chat4all.session'
/** Refresh this long before the access token expires (a quarter of its life at most), so no request races its expiry. */
const marginMs = (lifetimeMs: number): number => Math.min(30_000, lifetimeMs / 4)

interface Stored {
  readonly refresh_token: string
  readonly username: string
}

function readStored(): Stored | null {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as Stored | null
    return value && typeof value.refresh_token === 'string' ? value : null
  } catch {
    return null
  }
}

type Listener = (reason: 'expired' | 'signed-out') => void

export class Session {
  private access: { token: string; expiresAt: number; lifetimeMs: number } | null = null
  private refreshing: Promise<string> | null = null
  private readonly listeners = new Set<Listener>()

  /** The username of the stored session, or null when signed out. */
  get username(): string | null {
    return readStored()?.username ?? null
  }

  onEnd(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async login(username: string, password: string): Promise<void> {
    const response = await fetch('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    if (!response.ok) throw await toApiError(response)
    this.keep((await response.json()) as TokenPair, username)
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - marginMs(this.access.lifetimeMs) > Date.now()) return this.access.token
    return this.refresh()
  }

  /** Forces a new access token (after a 401 or a stream closed with 4001). */
  refresh(): Promise<string> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  /**
   * Ends the session here and on the server. What this browser kept for the account goes too:
   * unsent messages, interrupted uploads, learnt names (a shared computer keeps nothing of it).
   */
  async logout(): Promise<void> {
    const stored = readStored()
    const token = this.access?.token
    for (const key of Object.keys(localStorage)) if (key.startsWith('chat4all.') || key.startsWith('tus::')) localStorage.removeItem(key)
    this.end('signed-out')
    if (stored && token) {
      await fetch('/auth/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ refresh_token: stored.refresh_token }),
      }).catch(() => undefined)
    }
  }

  private async rotate(): Promise<string> {
    const run = async (): Promise<string> => {
      const stored = readStored()
      if (!stored) throw this.end('expired')
      const response = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: stored.refresh_token }),
      })
      if (response.status === 401) throw this.end('expired')
      if (!response.ok) throw await toApiError(response)
      return this.keep((await response.json()) as TokenPair, stored.username)
    }
    // Browsers without Web Locks (old ones) fall back to one refresh per tab at a time.
    return navigator.locks ? navigator.locks.request(storageKey, run) : run()
  }

  private keep(pair: TokenPair, username: string): string {
    this.access = { token: pair.access_token, expiresAt: Date.now() + pair.expires_in * 1000, lifetimeMs: pair.expires_in * 1000 }
    localStorage.setItem(storageKey, JSON.stringify({ refresh_token: pair.refresh_token, username } satisfies Stored))
    return pair.access_token
  }

  private end(reason: 'expired' | 'signed-out'): ApiError {
    this.access = null
    localStorage.removeItem(storageKey)
    for (const listener of this.listeners) listener(reason)
    return new ApiError(401, 'session_expired', 'The session has ended; sign in again')
  }
}
