/**
 * @module Authentication at the edge: a well-signed access token is accepted only while its subject
 * exists and has not revoked it ("log out everywhere" moves the user's token epoch on). What the
 * store says is cached briefly so the hot paths (sends) do not read it per request; this process
 * forgets a user at once when it deletes them or revokes their sessions, other processes within the TTL.
 */
import type { UserStore } from '../ports/store.js'
import { errors } from './errors.js'
import type { AccessClaims, TokenService } from './tokens.js'

export interface Authenticator {
  /** The token's claims; `invalid_token` when it is bad, its account is gone or its session revoked. */
  authenticate(token: string): Promise<AccessClaims>
  /** Checks claims already verified (a live stream re-checking its caller). */
  checkSubject(claims: AccessClaims): Promise<AccessClaims>
  /** Drops what this process knows of the user, so the next request reads the store. */
  forget(userId: string): void
}

export interface AuthenticatorOptions {
  readonly tokens: TokenService
  readonly store: Pick<UserStore, 'getTokenEpoch'>
  /** How long a user's existence and epoch are trusted without reading the store. */
  readonly ttlMs: number
  readonly maxEntries: number
  readonly now: () => number
}

interface Entry {
  /** null: no such user. */
  readonly epoch: number | null
  readonly until: number
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const cache = new Map<string, Entry>()
  const inFlight = new Map<string, Promise<number | null>>()

  const lookUp = (userId: string): Promise<number | null> => {
    const pending = inFlight.get(userId)
    if (pending) return pending
    const read = options.store
      .getTokenEpoch(userId)
      .then((epoch) => {
        if (cache.size >= options.maxEntries) cache.delete(cache.keys().next().value as string)
        const value = epoch ?? null
        // A forget() during the read must win: only a read that is still the current one is cached.
        if (inFlight.get(userId) === read) cache.set(userId, { epoch: value, until: options.now() + options.ttlMs })
        return value
      })
      .finally(() => {
        if (inFlight.get(userId) === read) inFlight.delete(userId)
      })
    inFlight.set(userId, read)
    return read
  }

  const epochOf = async (userId: string): Promise<number | null> => {
    const entry = cache.get(userId)
    if (entry && entry.until > options.now()) return entry.epoch
    return lookUp(userId)
  }

  const checkSubject = async (claims: AccessClaims): Promise<AccessClaims> => {
    const epoch = await epochOf(claims.userId)
    if (epoch === null) throw errors.invalidToken('The account behind this token no longer exists')
    if (claims.epoch < epoch) throw errors.invalidToken('This session was revoked; log in again')
    return claims
  }

  return {
    authenticate: async (token) => checkSubject(options.tokens.verifyAccess(token)),
    checkSubject,
    forget(userId) {
      cache.delete(userId)
      inFlight.delete(userId)
    },
  }
}
