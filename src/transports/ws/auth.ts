/**
 * @module Where a stream finds its access token: the Authorization header, the `token` query
 * parameter, or — for browsers, which cannot set headers on a WebSocket — a `bearer.<token>`
 * entry in Sec-WebSocket-Protocol, offered beside `chat4all.v1`.
 */
import type { IncomingHttpHeaders } from 'node:http'

export const SUBPROTOCOL = 'chat4all.v1'
const BEARER_PROTOCOL = 'bearer.'

export function tokenFrom(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const authorization = headers.authorization
  if (authorization) {
    const [scheme, token] = authorization.split(' ')
    return scheme?.toLowerCase() === 'bearer' && token ? token : undefined
  }
  const fromQuery = query.get('token')
  if (fromQuery) return fromQuery
  const protocols = headers['sec-websocket-protocol']
  if (!protocols) return undefined
  const offered = protocols.split(',').map((p) => p.trim())
  return offered.find((p) => p.startsWith(BEARER_PROTOCOL))?.slice(BEARER_PROTOCOL.length) || undefined
}

/** The subprotocol to answer with: ours when offered (never echo the token), else none. */
export function chooseProtocol(offered: ReadonlySet<string>): string | false {
  if (offered.has(SUBPROTOCOL)) return SUBPROTOCOL
  // A browser offering only the bearer entry fails the handshake unless one is selected.
  for (const protocol of offered) if (protocol.startsWith(BEARER_PROTOCOL)) return protocol
  return false
}
