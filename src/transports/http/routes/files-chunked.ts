/**
 * @module Chunked REST uploads: initiate → PUT chunks (any order, concurrently, again) → status →
 * complete. In the S3 shape `initiate` also returns presigned part URLs, so chunks may go straight
 * to S3 and only their ETags come back here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  completeChunkedUpload,
  initiateChunkedUpload,
  putChunk,
  uploadStatus,
} from '../../../core/files/chunks.js'
import { terminateUpload } from '../../../core/files/uploads.js'
import {
  authProblems,
  bodyProblems,
  ChunkedUpload,
  ChunkParams,
  ChunkReceived,
  CompleteUploadBody,
  InitiateUploadBody,
  paramProblems,
  problems,
  UploadedFile,
  UploadParams,
  UploadStatus,
} from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'
import { rateLimit } from '../rate-limit.js'
import { iso } from '../present.js'
import type { FileRouteOptions } from './files.js'
import { presentUploaded } from './files-present.js'
import { acceptRawBodies, bodyStream, declaredLength } from './files-streams.js'

const TAG = 'Files'
const upload = problems(authProblems, paramProblems, 'no_such_upload', 'upload_expired')

export const chunkedUploadRoutes =
  ({ fx }: FileRouteOptions): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Chunks are bytes whatever their Content-Type says (curl sends form-urlencoded by default).
    acceptRawBodies(app, ['application/octet-stream', '*'])
    app.addHook('onRequest', requireAuth(fx.auth))

    const uploadLimit = rateLimit(fx.rateLimits, 'upload', 'caller', fx.now)
    app.post('/v1/files/initiate', {
      schema: {
        ...doc(TAG, 'Start a chunked upload', 'Then PUT each chunk (any order, in parallel, again on failure) and complete.'),
        body: { ...InitiateUploadBody, examples: [{ filename: 'report.pdf', size: 10485760, content_type: 'application/pdf' }] },
        response: { 201: ChunkedUpload, ...problems(authProblems, bodyProblems, 'file_too_large', 'conversation_not_found', 'rate_limited') },
      },
      onRequest: uploadLimit,
    }, async (request, reply) => {
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

    app.put('/v1/files/uploads/:upload_id/chunks/:index', {
      schema: {
        ...doc(TAG, 'Upload one chunk (the raw bytes as the body)', 'Every chunk but the last is exactly chunk_size bytes.'),
        params: ChunkParams,
        consumes: ['application/octet-stream'],
        response: {
          200: ChunkReceived,
          ...problems(authProblems, paramProblems, 'no_such_upload', 'upload_expired', 'length_mismatch', 'length_required', 'file_too_large', 'upload_locked', 'chunk_checksum_mismatch'),
        },
      },
    }, async (request) => {
      const id = request.params.upload_id.toLowerCase()
      const part = await putChunk(fx, callerId(request), id, {
        index: request.params.index,
        declaredLength: declaredLength(request),
        body: bodyStream(request),
      })
      return { upload_id: id, index: part.index, size_bytes: part.sizeBytes, etag: part.etag }
    })

    app.get('/v1/files/uploads/:upload_id', {
      schema: { ...doc(TAG, 'Which chunks arrived and which are missing'), params: UploadParams, response: { 200: UploadStatus, ...upload } },
    }, async (request) => {
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
        received_chunks: [...status.received],
        missing_chunks: [...status.missing],
        bytes_received: status.bytesReceived,
        expires_at: iso(record.upload?.expiresAt ?? null),
      }
    })

    app.post(
      '/v1/files/uploads/:upload_id/complete',
      {
        schema: {
          ...doc(TAG, 'Complete a chunked upload', 'Assembles the chunks and checks the declared SHA-256. With S3 part URLs, list each part’s ETag.'),
          params: UploadParams,
          body: CompleteUploadBody,
          response: {
            200: UploadedFile,
            ...problems(authProblems, paramProblems, bodyProblems, 'no_such_upload', 'upload_expired', 'upload_incomplete', 'checksum_mismatch', 'upload_locked'),
          },
        },
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

    app.delete('/v1/files/uploads/:upload_id', {
      schema: { ...doc(TAG, 'Abandon an upload'), params: UploadParams, response: { 204: { description: 'Abandoned' }, ...upload } },
    }, async (request, reply) => {
      await terminateUpload(fx, callerId(request), request.params.upload_id.toLowerCase())
      return reply.status(204).send()
    })
  }
