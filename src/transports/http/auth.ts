/** @module Bearer authentication: the caller's identity comes from the token, never from the body. */
import type { FastifyRequest } from 'fastify'
import { errors } from '../../core/errors.js'
import type { Authenticator } from '../../core/authenticator.js'
import type { AccessClaims } from '../../core/tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    caller: AccessClaims | null
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const [scheme, token] = header.split(' ')
  if (scheme?.toLowerCase() !== 'bearer' || !token) throw errors.unauthorized('Use "Authorization: Bearer <token>"')
  return token
}

/**
 * A hook that requires a valid access token of an existing, unrevoked account and sets
 * `request.caller`.
 */
export function requireAuth(auth: Authenticator) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request)
    if (!token) throw errors.unauthorized()
    request.caller = await auth.authenticate(token)
  }
}

/** The authenticated caller's user id; only valid behind `requireAuth`. */
export function callerId(request: FastifyRequest): string {
  if (!request.caller) throw errors.unauthorized()
  return request.caller.userId
}
