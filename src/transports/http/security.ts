/**
 * @module What the API tells browsers: CORS for the origins the operator allows (none by default),
 * and security headers suited to a JSON API that also serves uploaded files.
 */
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/** tus and the API's own response headers a cross-origin script must be able to read. */
const exposedHeaders = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Expires',
  'Upload-Checksum',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-Request-Id',
  'Content-Disposition',
  'ETag',
]

/** Request headers a cross-origin client may send (tus's among them). */
const allowedHeaders = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'Last-Event-ID',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Upload-Checksum',
  'Tus-Resumable',
  'X-Request-Id',
  'X-Requested-With',
]

/**
 * The policy of the web client's page (its HTML and assets): scripts, styles and fonts from this
 * origin only, the API and the live stream (ws:/wss:) as the only connections, images from this
 * origin or made in the page (blob:/data: previews). Everything else the API serves keeps the
 * closed policy below; the web routes set this one themselves, so the hook leaves it.
 */
export const webPagePolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export interface SecurityOptions {
  /** Origins allowed to call the API from a browser; `*` for any. Empty: CORS stays closed. */
  readonly corsOrigins: readonly string[]
  /** The server terminates TLS itself: HSTS is sent only then (a proxy terminating TLS sets its own). */
  readonly tls: boolean
}

export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  if (options.corsOrigins.length > 0) {
    const any = options.corsOrigins.includes('*')
    await app.register(cors, {
      origin: any ? '*' : [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders,
      exposedHeaders,
      // Bearer tokens, not cookies: credentials are never needed, and `*` forbids them anyway.
      credentials: false,
      maxAge: 600,
      // The route list (and its 405s) stays the API's own; preflights are answered by the hook.
      hideOptionsRoute: true,
    })
  }
  const hsts = options.tls ? 'max-age=31536000; includeSubDomains' : undefined
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff')
    // JSON and files only: nothing here may run scripts, load resources or be framed.
    // Routes that serve files set their own, and so do the web client's (webPagePolicy); the rest are JSON.
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'; sandbox")
    reply.header('referrer-policy', 'no-referrer')
    reply.header('x-frame-options', 'DENY')
    reply.header('cross-origin-opener-policy', 'same-origin')
    if (hsts) reply.header('strict-transport-security', hsts)
  })
}
