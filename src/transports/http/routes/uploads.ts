/**
 * @module tus 1.0 at /v1/uploads — core protocol with the creation (and creation-with-upload),
 * termination, expiration and checksum extensions — so tus-js-client and Uppy work unchanged.
 * Implemented here over the core's upload model rather than with @tus/server, so uploads share
 * storage, limits, hashing and access rules with the other two ways in. Bearer-authenticated.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { appError, errors } from '../../../core/errors.js'
import type { FilesContext } from '../../../core/files/context.js'
import { fileErrors } from '../../../core/files/errors.js'
import { appendToUpload, checksumAlgorithms, type AppendInput } from '../../../core/files/tus.js'
import { checkDeclaredSize, createUpload, loadUpload, terminateUpload } from '../../../core/files/uploads.js'
import type { FileRecord } from '../../../core/model.js'
import { authProblems, paramProblems, problems, TusParams as UploadParams } from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'
import { rateLimit } from '../rate-limit.js'
import type { FileRouteOptions } from './files.js'
import { acceptRawBodies, apiBase, bodyStream, declaredLength, integerHeader } from './files-streams.js'

const TUS_VERSION = '1.0.0'
const EXTENSIONS = 'creation,creation-with-upload,termination,expiration,checksum'
const OCTETS = 'application/offset+octet-stream'
const TAG = 'Files (tus)'
const TUS_DOC = 'tus 1.0 (https://tus.io/protocols/resumable-upload): creation, creation-with-upload, termination, expiration and checksum. Headers carry the protocol; tus-js-client and Uppy work unchanged.'
const done = (description: string) => ({ description })
const uploadProblems = problems(
  authProblems,
  paramProblems,
  'no_such_upload',
  'upload_expired',
  'upload_offset_mismatch',
  'upload_locked',
  'length_mismatch',
  'file_too_large',
  'checksum_mismatch',
  'chunk_checksum_mismatch',
  'unsupported_media_type',
  'tus_version_unsupported',
  'route_not_found',
)
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent). */
export function parseUploadMetadata(header: string | undefined): Map<string, string> {
  const entries = new Map<string, string>()
  if (!header) return entries
  for (const pair of header.split(',')) {
    const [key, value, extra] = pair.trim().split(' ')
    if (!key || extra !== undefined || !/^[\x21-\x7e]+$/.test(key) || (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value))) {
      throw errors.validation('Upload-Metadata', 'Upload-Metadata is comma-separated "key base64value" pairs')
    }
    entries.set(key, value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8'))
  }
  return entries
}

function uploadHeaders(reply: FastifyReply, record: FileRecord): void {
  reply.header('upload-offset', record.upload ? record.upload.offset : record.sizeBytes)
  if (record.upload) reply.header('upload-expires', new Date(record.upload.expiresAt).toUTCString())
}

/** PATCH (and creation-with-upload) input from the request headers; nothing is read yet. */
function appendInput(request: FastifyRequest, offset: number): AppendInput {
  const length = declaredLength(request)
  if (length === undefined) throw fileErrors.lengthRequired()
  const checksumHeader = request.headers['upload-checksum']
  let checksum: AppendInput['checksum']
  if (typeof checksumHeader === 'string') {
    const [algorithm, digest] = checksumHeader.trim().split(' ')
    if (!checksumAlgorithms.includes(algorithm as (typeof checksumAlgorithms)[number]) || !digest) {
      throw errors.validation('Upload-Checksum', `Upload-Checksum is "<${checksumAlgorithms.join('|')}> <base64 digest>"`)
    }
    checksum = { algorithm: algorithm as (typeof checksumAlgorithms)[number], digest: Buffer.from(digest, 'base64') }
  }
  return { offset, length, body: bodyStream(request), ...(checksum ? { checksum } : {}) }
}

function requireOctets(request: FastifyRequest): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== OCTETS) throw appError('unsupported_media_type', `A tus PATCH body is ${OCTETS}`, { field: 'content-type' })
}

export const tusRoutes =
  ({ fx, publicUrl }: FileRouteOptions): FastifyPluginAsyncTypebox =>
  async (app) => {
    acceptRawBodies(app, [OCTETS])
    const authenticate = requireAuth(fx.auth)
    app.addHook('onSend', async (_request, reply) => {
      reply.header('tus-resumable', TUS_VERSION)
    })
    app.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS') return
      if (request.headers['tus-resumable'] !== TUS_VERSION) {
        reply.header('tus-version', TUS_VERSION)
        throw appError('tus_version_unsupported', `Send Tus-Resumable: ${TUS_VERSION}`, { field: 'Tus-Resumable' })
      }
      await authenticate(request)
    })

    const discovery = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .status(204)
        .headers({
          'tus-version': TUS_VERSION,
          'tus-extension': EXTENSIONS,
          'tus-max-size': fx.files.maxFileBytes,
          'tus-checksum-algorithm': checksumAlgorithms.join(','),
        })
        .send()
    const discoveryDoc = { ...doc(TAG, 'tus discovery: version, extensions and the size limit (headers)', TUS_DOC), security: [], response: { 204: done('Tus-Version, Tus-Extension, Tus-Max-Size') } }
    app.options('/v1/uploads', { schema: discoveryDoc }, discovery)
    app.options('/v1/uploads/:id', { schema: { ...discoveryDoc, params: UploadParams } }, discovery)

    app.post('/v1/uploads', {
      schema: {
        ...doc(TAG, 'tus: create an upload (Upload-Length, Upload-Metadata; a first part may come along)', TUS_DOC),
        response: {
          201: done('Location names the upload; Upload-Offset when bytes came along'),
          ...problems(authProblems, 'validation_failed', 'file_too_large', 'unsupported_media_type', 'conversation_not_found', 'tus_version_unsupported', 'length_mismatch', 'checksum_mismatch', 'chunk_checksum_mismatch', 'rate_limited'),
        },
      },
      onRequest: rateLimit(fx.rateLimits, 'upload', 'caller', fx.now),
    }, async (request, reply) => {
      if (request.headers['upload-defer-length'] !== undefined) {
        throw errors.validation('Upload-Defer-Length', 'Declare Upload-Length when creating the upload')
      }
      const size = integerHeader(request, 'Upload-Length')
      if (size === undefined) throw errors.validation('Upload-Length', 'Upload-Length is required')
      checkDeclaredSize(fx, size, 'Upload-Length')
      const rawMetadata = request.headers['upload-metadata'] as string | undefined
      const metadata = parseUploadMetadata(rawMetadata)
      const conversationId = metadata.get('conversation_id') || undefined
      if (conversationId !== undefined && !uuidPattern.test(conversationId)) {
        throw errors.validation('Upload-Metadata.conversation_id', 'conversation_id must be a UUID')
      }
      const withBody = (declaredLength(request) ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined
      if (withBody) requireOctets(request)
      // creation-with-upload: checked before anything is created.
      const initial = withBody ? appendInput(request, 0) : undefined
      const caller = callerId(request)
      let record = await createUpload(fx, caller, {
        protocol: 'tus',
        filename: metadata.get('filename') || metadata.get('name') || 'file',
        sizeBytes: size,
        sizeField: 'Upload-Length',
        contentType: metadata.get('filetype') || metadata.get('type') || metadata.get('content_type'),
        sha256: metadata.get('sha256') || metadata.get('checksum'),
        sha256Field: 'Upload-Metadata.sha256',
        conversationId,
        metadata: rawMetadata,
      })
      if (initial) {
        record = await appendToUpload(fx, caller, record.id, initial)
      } else if (size === 0) {
        // Nothing to send: an empty file is complete as soon as it exists.
        record = await appendToUpload(fx, caller, record.id, { offset: 0, length: 0, body: Readable.from([]) })
      }
      reply.header('location', `${apiBase(request, publicUrl)}/v1/uploads/${record.id}`)
      if (withBody || record.upload) uploadHeaders(reply, record)
      return reply.status(201).send()
    })

    const head = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
      const record = await loadUpload(fx, callerId(request), id)
      uploadHeaders(reply, record)
      reply.header('upload-length', record.sizeBytes).header('cache-control', 'no-store')
      if (record.upload?.metadata) reply.header('upload-metadata', record.upload.metadata)
      return reply.status(200).send()
    }

    const patch = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
      requireOctets(request)
      const offset = integerHeader(request, 'Upload-Offset')
      if (offset === undefined) throw errors.validation('Upload-Offset', 'Upload-Offset is required')
      const record = await appendToUpload(fx, callerId(request), id, appendInput(request, offset))
      uploadHeaders(reply, record)
      return reply.status(204).send()
    }

    const terminate = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
      await terminateUpload(fx, callerId(request), id)
      return reply.status(204).send()
    }

    // An explicit HEAD (there is no GET here): documented, unlike the HEAD Fastify adds beside each GET.
    app.head('/v1/uploads/:id', { config: { swagger: { exposeHeadRoute: true } }, schema: { ...doc(TAG, 'tus: the upload’s offset and length (headers)', TUS_DOC), params: UploadParams, response: { 200: done('Upload-Offset, Upload-Length'), ...uploadProblems } } }, (request, reply) => head(request, reply, request.params.id.toLowerCase()))
    app.patch('/v1/uploads/:id', {
      schema: { ...doc(TAG, 'tus: append bytes at Upload-Offset (application/offset+octet-stream)', TUS_DOC), params: UploadParams, response: { 204: done('Upload-Offset: the new offset'), ...uploadProblems } },
    }, (request, reply) => patch(request, reply, request.params.id.toLowerCase()))
    app.delete('/v1/uploads/:id', { schema: { ...doc(TAG, 'tus: terminate an upload', TUS_DOC), params: UploadParams, response: { 204: done('Terminated'), ...uploadProblems } } }, (request, reply) =>
      terminate(request, reply, request.params.id.toLowerCase()),
    )
    // For clients behind proxies that allow only GET and POST (tus `X-HTTP-Method-Override`).
    app.post('/v1/uploads/:id', {
      schema: {
        ...doc(TAG, 'tus: PATCH, DELETE or HEAD through X-HTTP-Method-Override', TUS_DOC),
        params: UploadParams,
        response: { 200: done('As HEAD'), 204: done('As PATCH or DELETE'), ...uploadProblems },
      },
    }, (request, reply) => {
      const id = request.params.id.toLowerCase()
      const method = String(request.headers['x-http-method-override'] ?? '').toUpperCase()
      if (method === 'PATCH') return patch(request, reply, id)
      if (method === 'DELETE') return terminate(request, reply, id)
      if (method === 'HEAD') return head(request, reply, id)
      throw appError('route_not_found', 'POST to an upload needs X-HTTP-Method-Override: PATCH, DELETE or HEAD', {
        field: 'X-HTTP-Method-Override',
      })
    })
  }
