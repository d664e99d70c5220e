/**
 * @module Chunked REST uploads: initiate → PUT chunks (any order, concurrently, again) → status →
 * complete. In the S3 shape `initiate` also returns presigned part URLs, so chunks may go straight
 * to S3 and only their ETags come back here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  completeChunkedUpload,
  initiateChunkedUpload,
  putChunk,
  uploadStatus,
} from '../../../core/files/chunks.js'
import { terminateUpload } from '../../../core/files/uploads.js'
import { callerId, requireAuth } from '../auth.js'
import { rateLimit } from '../rate-limit.js'
import { iso } from '../present.js'
import type { FileRouteOptions } from './files.js'
import { presentUploaded } from './files-present.js'
import { acceptRawBodies, bodyStream, declaredLength } from './files-streams.js'

const InitiateBody = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 1024 }),
    // Bounded so 1e309 is a 400; sizes over CHAT4ALL_MAX_FILE_BYTES are a 413 from the use case.
    size: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    content_type: Type.Optional(Type.String({ maxLength: 255 })),
    sha256: Type.Optional(Type.String({ maxLength: 100 })),
    conversation_id: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
)

const UploadParams = Type.Object({ upload_id: Type.String({ format: 'uuid' }) })
const ChunkParams = Type.Object({ upload_id: Type.String({ format: 'uuid' }), index: Type.Integer({ minimum: 0, maximum: 9999 }) })

const CompleteBody = Type.Union([
  Type.Null(),
  Type.Object(
    {
      /** Chunks put straight to S3 with presigned part URLs, named by the ETag S3 answered with. */
      parts: Type.Optional(
        Type.Array(
          Type.Object(
            { index: Type.Integer({ minimum: 0, maximum: 9999 }), etag: Type.String({ minLength: 1, maxLength: 200 }) },
            { additionalProperties: false },
          ),
          { maxItems: 10_000 },
        ),
      ),
    },
    { additionalProperties: false },
  ),
])

export const chunkedUploadRoutes =
  ({ fx }: FileRouteOptions): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Chunks are bytes whatever their Content-Type says (curl sends form-urlencoded by default).
    acceptRawBodies(app, ['application/octet-stream', '*'])
    app.addHook('onRequest', requireAuth(fx.auth))

    const uploadLimit = rateLimit(fx.rateLimits, 'upload', 'caller', fx.now)
    app.post('/v1/files/initiate', { schema: { body: InitiateBody }, onRequest: uploadLimit }, async (request, reply) => {
      const body = request.body
      const { record, totalChunks, partUrls } = await initiateChunkedUpload(fx, callerId(request), {
        filename: body.filename,
        sizeBytes: body.size,
        sizeField: 'size',
        contentType: body.content_type,
        sha256: body.sha256,
        sha256Field: 'sha256',
        conversationId: body.conversation_id,
      })
      return reply.status(201).send({
        upload_id: record.id,
        file_id: record.id,
        filename: record.filename,
        size_bytes: record.sizeBytes,
        mimetype: record.contentType,
        chunk_size: record.upload!.chunkSize,
        total_chunks: totalChunks,
        expires_at: iso(record.upload!.expiresAt),
        ...(partUrls ? { part_urls: partUrls.map((url, index) => ({ index, url })) } : {}),
      })
    })

    app.put('/v1/files/uploads/:upload_id/chunks/:index', { schema: { params: ChunkParams } }, async (request) => {
      const id = request.params.upload_id.toLowerCase()
      const part = await putChunk(fx, callerId(request), id, {
        index: request.params.index,
        declaredLength: declaredLength(request),
        body: bodyStream(request),
      })
      return { upload_id: id, index: part.index, size_bytes: part.sizeBytes, etag: part.etag }
    })

    app.get('/v1/files/uploads/:upload_id', { schema: { params: UploadParams } }, async (request) => {
      const status = await uploadStatus(fx, callerId(request), request.params.upload_id.toLowerCase())
      const { record } = status
      return {
        upload_id: record.id,
        file_id: record.id,
        state: record.state,
        filename: record.filename,
        size_bytes: record.sizeBytes,
        chunk_size: record.upload?.chunkSize ?? null,
        total_chunks: status.totalChunks,
        received_chunks: status.received,
        missing_chunks: status.missing,
        bytes_received: status.bytesReceived,
        expires_at: iso(record.upload?.expiresAt ?? null),
      }
    })

    app.post(
      '/v1/files/uploads/:upload_id/complete',
      {
        schema: { params: UploadParams, body: CompleteBody },
        // No body at all is the common case; validate it as null.
        preValidation: async (request) => {
          request.body ??= null
        },
      },
      async (request) => {
        const parts = request.body?.parts ?? []
        const record = await completeChunkedUpload(fx, callerId(request), request.params.upload_id.toLowerCase(), parts)
        return presentUploaded(record)
      },
    )

    app.delete('/v1/files/uploads/:upload_id', { schema: { params: UploadParams } }, async (request, reply) => {
      await terminateUpload(fx, callerId(request), request.params.upload_id.toLowerCase())
      return reply.status(204).send()
    })
  }
