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

/** Where failures on our side go (the operators' log); the client only learns the code. */
export type ReportFailure = (error: unknown, method: string) => void

/** The status a thrown value ends a call with; failures on our side are reported first. */
export function failure(error: unknown, report: ReportFailure, method: string): ReturnType<typeof toServiceError> {
  const mapped = toServiceError(error)
  if (mapped.appError.status >= 500) report(mapped.appError.cause ?? error, method)
  return mapped
}

/**
 * Wraps async handlers as grpc-js unary handlers. A call the client cancelled (or whose deadline
 * passed) gets no answer — grpc-js has already ended it with CANCELLED or DEADLINE_EXCEEDED.
 */
export function unaryWith(report: ReportFailure) {
  return <Req>(handler: UnaryHandler<Req>) =>
    (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>): void => {
      if (call.cancelled) return
      handler(call.request, call).then(
        (response) => {
          if (!call.cancelled) callback(null, response)
        },
        (error: unknown) => {
          if (!call.cancelled) callback(failure(error, report, call.getPath()))
        },
      )
    }
}
