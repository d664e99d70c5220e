/**
 * @module GET /v1/files/{id}/content: the bytes behind a signed download URL, served by the API
 * in the all-in-one shape (S3 serves its own presigned URLs). No bearer token: the HMAC signature
 * and its expiry are the authorisation. Single byte ranges, conditional requests, and headers that
 * keep active content from running on our origin.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { appError } from '../../../core/errors.js'
import { readFile, signedFile } from '../../../core/files/access.js'
import type { FilesContext } from '../../../core/files/context.js'
import { contentDisposition } from '../../../core/files/names.js'
import type { ByteRange } from '../../../ports/blobs.js'
import { FileParams, paramProblems, problems, SignedQuery } from '../../../wire/index.js'
import { publicDoc } from '../openapi-doc.js'

const bytes = (description: string) => ({ description, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } })

/** One `bytes=` range; undefined to serve the whole file (absent, malformed or several ranges). */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Number(match[2])
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end: Math.min(end, size - 1) }
}

export const fileContentRoutes =
  (fx: FilesContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/v1/files/:id/content',
      exposeHeadRoute: false,
      schema: {
        ...publicDoc('Files', 'The bytes behind a signed download URL', 'No bearer token: the signature and expiry in the URL (from GET /v1/files/{id}/download) are the authorisation. Single byte ranges and conditional requests.'),
        params: FileParams,
        querystring: SignedQuery,
        response: {
          200: bytes('The file'),
          206: bytes('The requested range'),
          304: { description: 'Not modified (If-None-Match)' },
          ...problems(paramProblems, 'signed_url_expired', 'signed_url_invalid', 'no_such_file', 'range_not_satisfiable'),
        },
      },
      handler: async (request, reply) => {
        const record = await signedFile(fx, request.params.id.toLowerCase(), request.query)
        const etag = `"${record.sha256}"`
        const size = record.sizeBytes
        const secondsLeft = Math.max(0, Number(request.query.expires) - Math.floor(fx.now() / 1000))
        reply.headers({
          etag,
          'accept-ranges': 'bytes',
          'last-modified': new Date(record.completedAt ?? record.createdAt).toUTCString(),
          'cache-control': `private, max-age=${secondsLeft}`,
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; sandbox",
        })
        const ifNoneMatch = request.headers['if-none-match']
        if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
          return reply.status(304).send()
        }
        // Conditions come before Range (RFC 9110 §13.2.2): a cached copy gets 304 even with a bad range.
        const ifRange = request.headers['if-range']
        const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, size) : undefined
        if (range === 'unsatisfiable') {
          reply.header('content-range', `bytes */${size}`)
          throw appError('range_not_satisfiable', `The file has ${size} bytes`, { field: 'range' })
        }
        reply.headers({
          'content-type': record.contentType,
          'content-disposition': contentDisposition(record.filename, record.contentType),
        })
        if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        const length = range ? range.end - range.start + 1 : size
        reply.header('content-length', length)
        if (request.method === 'HEAD' || length === 0) return reply.send()
        return reply.send(await readFile(fx, record, range))
      },
    })
  }
