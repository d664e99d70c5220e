/**
 * @module What every gRPC handler shares: the caller from the `authorization` metadata (checked by the
 * same authenticator as HTTP), the client's address for per-address limits, and the wrapper that runs
 * a unary handler and maps whatever it throws through the one error table.
 */
import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js'
import type { Authenticator } from '../../core/authenticator.js'
import { errors } from '../../core/errors.js'
import type { AccessClaims } from '../../core/tokens.js'
import { toServiceError } from './errors.js'

/** The claims of the bearer token in `authorization: Bearer <token>`; `unauthorized` without one. */
export async function authenticate(auth: Authenticator, metadata: Metadata): Promise<AccessClaims> {
  const [header] = metadata.get('authorization')
  if (header === undefined) throw errors.unauthorized('Send the access token as metadata "authorization: Bearer <token>"')
  const [scheme, token] = String(header).split(' ')
  if (scheme?.toLowerCase() !== 'bearer' || !token) throw errors.unauthorized('Use metadata "authorization: Bearer <token>"')
  return auth.authenticate(token)
}

/** The client's IP address from the peer (`127.0.0.1:5555`, `[::1]:5555`, `ipv4:…`). */
export function peerAddress(call: { getPeer(): string }): string {
  const peer = call.getPeer().replace(/^ipv[46]:/, '')
  const bracketed = /^\[([^\]]+)\]/.exec(peer)
  if (bracketed?.[1]) return bracketed[1]
  const at = peer.lastIndexOf(':')
  return at > 0 && peer.indexOf(':') === at ? peer.slice(0, at) : peer
}

export type UnaryHandler<Req> = (request: Req, call: ServerUnaryCall<Req, unknown>) => Promise<Readonly<Record<string, unknown>>>

/**
 * A grpc-js unary handler around an async one. A call the client cancelled (or whose deadline
 * passed) gets no answer — grpc-js has already ended it with CANCELLED or DEADLINE_EXCEEDED.
 */
export function unary<Req>(handler: UnaryHandler<Req>) {
  return (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>): void => {
    if (call.cancelled) return
    handler(call.request, call).then(
      (response) => {
        if (!call.cancelled) callback(null, response)
      },
      (error: unknown) => {
        if (!call.cancelled) callback(toServiceError(error))
      },
    )
  }
}
