/**
 * @module /v1/files: the simple streaming upload (multipart/form-data), a file's metadata, and its
 * download URL. Handlers validate, call the core, shape output.
 */
import { Busboy, type BusboyFileStream, type BusboyHeaders } from '@fastify/busboy'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { appError, errors } from '../../../core/errors.js'
import { downloadLink, visibleFile, checksumOf } from '../../../core/files/access.js'
import type { FilesContext } from '../../../core/files/context.js'
import { fileErrors } from '../../../core/files/errors.js'
import { uploadSimple } from '../../../core/files/simple.js'
import type { FileRecord } from '../../../core/model.js'
import { authProblems, DownloadLink, FileInfo, FileParams, paramProblems, problems, SimpleUploadQuery, UploadedFile } from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'
import { rateLimit } from '../rate-limit.js'
import { iso } from '../present.js'
import { presentFile, presentUploaded } from './files-present.js'
import { acceptRawBodies, apiBase, bodyStream, declaredLength } from './files-streams.js'

export interface FileRouteOptions {
  readonly fx: FilesContext
  /** CHAT4ALL_PUBLIC_URL, or null to use each request's origin. */
  readonly publicUrl: string | null
}

export { FileParams }

// Boundaries and part headers around the file; a body declaring more than the limit plus this is refused unread.
const MULTIPART_OVERHEAD = 64 * 1024
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface FormDefaults {
  readonly conversationId?: string | undefined
  readonly sha256?: string | undefined
}

/**
 * Streams the form's `file` part into the core as it arrives. Fields it needs (`conversation_id`,
 * `sha256`) must come before the file, or in the query string.
 */
function receiveForm(request: FastifyRequest, fx: FilesContext, caller: string, defaults: FormDefaults): Promise<FileRecord> {
  return new Promise((resolve, reject) => {
    const body = bodyStream(request)
    const fields = new Map<string, string>()
    let upload: Promise<FileRecord> | undefined
    let file: BusboyFileStream | undefined
    let parsed = false
    let settled = false
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      body.unpipe(form)
      // A client gone mid-file: the file stream would never end, and the upload with it.
      if (file && !file.readableEnded) file.destroy()
      reject(error)
    }
    const settle = () => {
      if (!parsed || settled) return
      if (!upload) return fail(errors.validation('file', "The form needs a 'file' part"))
      upload.then((record) => {
        settled = true
        resolve(record)
      }, fail)
    }
    let form: ReturnType<typeof Busboy>
    try {
      form = Busboy({
        headers: request.headers as BusboyHeaders,
        limits: { files: 1, fields: 20, fieldSize: 4096, parts: 30 },
        highWaterMark: 256 * 1024,
        fileHwm: 256 * 1024,
      })
    } catch (error) {
      return reject(errors.validation('content-type', `Not a usable multipart/form-data request: ${(error as Error).message}`))
    }
    form.on('field', (name, value) => fields.set(name, value))
    form.on('file', (name: string, stream: BusboyFileStream, filename: string, _encoding: string, mimeType: string) => {
      if (name !== 'file' || upload) {
        stream.resume()
        return fail(errors.validation(name, `Send one file, in the 'file' part`))
      }
      const conversationId = fields.get('conversation_id') ?? defaults.conversationId
      if (conversationId !== undefined && !uuidPattern.test(conversationId)) {
        stream.resume()
        return fail(errors.validation('conversation_id', 'conversation_id must be a UUID'))
      }
      file = stream
      stream.on('error', () => undefined) // the upload reports its own failure
      upload = uploadSimple(fx, caller, {
        filename: filename || 'file',
        contentType: mimeType,
        conversationId,
        sha256: fields.get('sha256') ?? defaults.sha256,
        body: stream,
      })
      // Fail as soon as the upload does (a refused conversation, a file over the limit).
      upload.catch(fail)
    })
    form.on('filesLimit', () => fail(errors.validation('file', 'Send one file per request')))
    form.on('finish', () => {
      parsed = true
      settle()
    })
    form.on('error', (error) => fail(errors.validation('body', `Malformed multipart body: ${String((error as Error).message ?? error)}`)))
    body.on('error', fail)
    request.raw.on('close', () => {
      if (!request.raw.complete) fail(errors.validation('body', 'The client went away before the body ended'))
    })
    body.pipe(form)
  })
}

export const fileRoutes =
  ({ fx, publicUrl }: FileRouteOptions): FastifyPluginAsyncTypebox =>
  async (app) => {
    acceptRawBodies(app, ['multipart/form-data'])
    app.addHook('onRequest', requireAuth(fx.auth))

    // Counted before the body is read: a refused upload costs no bytes.
    const uploadLimit = rateLimit(fx.rateLimits, 'upload', 'caller', fx.now)
    app.post('/v1/files', {
      schema: {
        ...doc('Files', 'Upload a file in one request (multipart/form-data)', "The form's `file` part is streamed to storage as it arrives; `conversation_id` and `sha256` may come as fields before it or in the query string. For large files use chunked or tus uploads."),
        querystring: SimpleUploadQuery,
        consumes: ['multipart/form-data'],
        response: {
          201: UploadedFile,
          ...problems(authProblems, paramProblems, 'unsupported_media_type', 'file_too_large', 'payload_too_large', 'checksum_mismatch', 'conversation_not_found', 'rate_limited'),
        },
      },
      onRequest: uploadLimit,
    }, async (request, reply) => {
      if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
        throw appError('unsupported_media_type', "Upload a file as multipart/form-data with a 'file' part", { field: 'content-type' })
      }
      const length = declaredLength(request)
      if (length !== undefined && length > fx.files.maxFileBytes + MULTIPART_OVERHEAD) {
        throw fileErrors.tooLarge('file', fx.files.maxFileBytes)
      }
      const record = await receiveForm(request, fx, callerId(request), {
        conversationId: request.query.conversation_id,
        sha256: request.query.sha256,
      })
      return reply.status(201).send(presentUploaded(record))
    })

    app.get('/v1/files/:id', {
      schema: { ...doc('Files', 'A file’s metadata and state'), params: FileParams, response: { 200: FileInfo, ...problems(authProblems, paramProblems, 'no_such_file') } },
    }, async (request) => {
      return presentFile(await visibleFile(fx, callerId(request), request.params.id.toLowerCase()))
    })

    app.get('/v1/files/:id/download', {
      schema: {
        ...doc('Files', 'A signed, expiring download URL'),
        params: FileParams,
        response: { 200: DownloadLink, ...problems(authProblems, paramProblems, 'no_such_file', 'file_not_ready') },
      },
    }, async (request) => {
      const link = await downloadLink(fx, callerId(request), request.params.id.toLowerCase(), apiBase(request, publicUrl))
      return {
        download_url: link.url,
        expires_at: iso(link.expiresAt),
        expires_in: link.expiresIn,
        file_id: link.record.id,
        filename: link.record.filename,
        size_bytes: link.record.sizeBytes,
        mimetype: link.record.contentType,
        checksum: checksumOf(link.record),
      }
    })
  }
