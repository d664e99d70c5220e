/**
 * @module Access tokens (HS256 JWT, fast-jwt) and opaque refresh tokens (only their hash is stored).
 * The verifier accepts HS256 alone, so `alg: none` and other algorithms are refused.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createSigner, createVerifier } from 'fast-jwt'
import { errors } from './errors.js'

export interface AccessClaims {
  readonly userId: string
  readonly username: string
  /** Epoch seconds. */
  readonly expiresAt: number
  /** The refresh-token family (session) it was issued for; null for tokens that predate families. */
  readonly sessionId: string | null
  /** The user's token epoch when issued: "log out everywhere" moves the epoch on, revoking older tokens. */
  readonly epoch: number
}

/** Which session an access token belongs to, and in which token epoch of its user it was issued. */
export interface SessionClaims {
  readonly sessionId: string
  readonly epoch: number
}

export interface TokenService {
  /** Without a session: a token of no session, in epoch 0 (tools and tests that mint tokens directly). */
  issueAccess(userId: string, username: string, session?: SessionClaims): { token: string; expiresIn: number }
  /**
   * Throws `invalid_token` for anything but a well-signed, unexpired token of ours. Says nothing of
   * whether its user still exists or revoked it: the Authenticator (authenticator.ts) checks that.
   */
  verifyAccess(token: string): AccessClaims
  newRefreshToken(): { token: string; hash: string }
  hashRefreshToken(token: string): string
  readonly refreshTtlMs: number
}

export interface TokenServiceOptions {
  readonly secret: string
  readonly accessTtlSeconds: number
  readonly refreshTtlSeconds: number
}

const ISSUER = 'chat4all'

export function createTokenService(options: TokenServiceOptions): TokenService {
  const sign = createSigner({
    key: options.secret,
    algorithm: 'HS256',
    expiresIn: options.accessTtlSeconds * 1000,
    iss: ISSUER,
  })
  // The cache keeps verified tokens (until they expire) so each request does not redo the HMAC.
  const verify = createVerifier({
    key: options.secret,
    algorithms: ['HS256'],
    allowedIss: ISSUER,
    cache: 10_000,
    cacheTTL: 60_000,
  })
  const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('base64url')
  return {
    issueAccess(userId, username, session) {
      const claims = session ? { sub: userId, name: username, sid: session.sessionId, epc: session.epoch } : { sub: userId, name: username }
      const token = sign(claims) as string
      return { token, expiresIn: options.accessTtlSeconds }
    },
    verifyAccess(token) {
      try {
        const claims = verify(token) as { sub?: unknown; name?: unknown; exp?: unknown; sid?: unknown; epc?: unknown }
        if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw new Error('claims missing')
        return {
          userId: claims.sub,
          username: String(claims.name ?? ''),
          expiresAt: claims.exp,
          sessionId: typeof claims.sid === 'string' ? claims.sid : null,
          epoch: typeof claims.epc === 'number' ? claims.epc : 0,
        }
      } catch (cause) {
        const expired = (cause as { code?: string }).code === 'FAST_JWT_EXPIRED'
        throw errors.invalidToken(expired ? 'The access token has expired' : 'The access token is invalid')
      }
    },
    newRefreshToken() {
      const token = randomBytes(32).toString('base64url')
      return { token, hash: hashRefreshToken(token) }
    },
    hashRefreshToken,
    refreshTtlMs: options.refreshTtlSeconds * 1000,
  }
}
