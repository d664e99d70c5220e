/**
 * @module HTTP plumbing shared by the upload routes: request bodies handed over as raw streams
 * (never buffered by Fastify), the declared length, the API's public base URL, and closing the
 * connection when a request is answered before its body was read — so a refused 2 GiB upload is
 * not drained byte by byte to keep the connection alive.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { errors } from '../../../core/errors.js'

/** Registers pass-through parsers in the calling (encapsulated) plugin only; `*` takes any type. */
export function acceptRawBodies(app: FastifyInstance, types: readonly string[]): void {
  for (const type of types) app.addContentTypeParser(type, (_request, payload, done) => done(null, payload))
  app.addHook('onSend', async (request, reply) => {
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0
    if (hasBody && !request.raw.complete) reply.header('connection', 'close')
  })
}

/** The raw body stream a pass-through parser handed over; an empty one when there was no body. */
export function bodyStream(request: FastifyRequest): Readable & AsyncIterable<Buffer> {
  const body = request.body as (Readable & AsyncIterable<Buffer>) | undefined
  if (body && typeof body.pipe === 'function') return body
  return request.raw as Readable & AsyncIterable<Buffer>
}

/** The Content-Length, or undefined for a chunked transfer. */
export function declaredLength(request: FastifyRequest, field = 'Content-Length'): number | undefined {
  const raw = request.headers['content-length']
  if (raw === undefined) return undefined
  if (!/^\d{1,16}$/.test(raw)) throw errors.validation(field, 'Content-Length must be a non-negative integer')
  return Number(raw)
}

/** Where clients reach the API: the configured public URL, or this request's own origin. */
export function apiBase(request: FastifyRequest, publicUrl: string | null): string {
  return publicUrl ?? `${request.protocol}://${request.host}`
}

/** A non-negative integer header, or a validation error naming it. */
export function integerHeader(request: FastifyRequest, name: string): number | undefined {
  const raw = request.headers[name.toLowerCase()]
  if (raw === undefined) return undefined
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) throw errors.validation(name, `${name} must be a non-negative integer`)
  return Number(raw)
}
