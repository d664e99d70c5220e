/**
 * @module FileService: a resumable upload as a client stream, metadata and download URLs. An upload
 * is a tus upload of the core's upload model (same storage, limits, hashing, expiry and access
 * rules): its bytes are appended at the server's offset, committed chunk by chunk, so a stream that
 * breaks keeps what was committed and a new stream resumes there.
 */
import type { Metadata as MetadataType, sendUnaryData, ServerReadableStream, UntypedServiceImplementation } from '@grpc/grpc-js'
import { Metadata } from '@grpc/grpc-js'
import { Readable } from 'node:stream'
import { errors } from '../../../core/errors.js'
import { downloadLink, visibleFile } from '../../../core/files/access.js'
import type { FilesContext } from '../../../core/files/context.js'
import { fileErrors } from '../../../core/files/errors.js'
import { appendToUpload } from '../../../core/files/tus.js'
import { createUpload, loadUpload } from '../../../core/files/uploads.js'
import type { FileRecord } from '../../../core/model.js'
import { enforceRate } from '../../../core/rate-limits.js'
import { authenticate, failure, unaryWith, type ReportFailure } from '../call.js'
import { presentFile, timestamp } from '../convert.js'
import { uuid } from '../validate.js'
import type { FileIdRequest, UploadFileRequest } from '../wire-types.js'

export interface FileServiceOptions {
  readonly fx: FilesContext
  /** Where clients reach the HTTP API: download URLs point there. */
  readonly apiBase: () => string
  readonly report: ReportFailure
}

type UploadCall = ServerReadableStream<UploadFileRequest, unknown>

/** The messages of a client stream, one at a time; rejects once the client cancels. */
function messagesOf(call: UploadCall): () => Promise<UploadFileRequest | undefined> {
  const iterator = (call as AsyncIterable<UploadFileRequest>)[Symbol.asyncIterator]()
  const cancelled = new Promise<never>((_resolve, reject) => {
    call.on('cancelled', () => reject(errors.validation('chunk', 'The client cancelled the upload')))
  })
  cancelled.catch(() => undefined)
  return async () => {
    const result = await Promise.race([iterator.next(), cancelled])
    return result.done ? undefined : result.value
  }
}

function sizeOf(value: number | undefined, field: string): number {
  const size = value ?? 0
  if (!Number.isSafeInteger(size) || size < 0) throw errors.validation(field, `'${field}' must be a non-negative integer`)
  return size
}

/** Creates the upload (UploadStart) or finds the caller's (UploadResume); returns it and where this stream starts. */
async function open(fx: FilesContext, userId: string, first: UploadFileRequest | undefined): Promise<{ record: FileRecord; offset: number }> {
  if (first?.part === 'start' && first.start) {
    const start = first.start
    await enforceRate(fx.rateLimits, 'upload', userId, fx.now)
    const record = await createUpload(fx, userId, {
      protocol: 'tus',
      filename: start.filename || 'file',
      sizeBytes: sizeOf(start.size_bytes, 'start.size_bytes'),
      sizeField: 'start.size_bytes',
      contentType: start.content_type,
      sha256: start.sha256,
      sha256Field: 'start.sha256',
      conversationId: start.conversation_id ? uuid(start.conversation_id, 'start.conversation_id') : undefined,
    })
    return { record, offset: 0 }
  }
  if (first?.part === 'resume' && first.resume) {
    const record = await loadUpload(fx, userId, uuid(first.resume.upload_id, 'resume.upload_id'))
    return { record, offset: sizeOf(first.resume.offset, 'resume.offset') }
  }
  throw errors.validation('start', 'The first message of an upload is an UploadStart or an UploadResume')
}

/**
 * The chunk bytes that follow, as the body of the append. Ending before `expected` bytes fails with
 * `length_mismatch` (what was committed stays); the failure is also kept in `failure`, as the append
 * may report it as a stream error of its own.
 */
function bytesOf(next: () => Promise<UploadFileRequest | undefined>, expected: number) {
  const state = { received: 0, failure: undefined as unknown }
  const body = async function* () {
    try {
      for (;;) {
        const message = await next()
        if (!message) break
        if (message.part !== 'chunk' || !message.chunk) throw errors.validation(message.part ?? 'part', 'After the first message an upload sends chunks only')
        state.received += message.chunk.length
        yield message.chunk
        if (state.received >= expected) return
      }
      if (state.received < expected) {
        throw fileErrors.lengthMismatch('chunk', `The stream ended ${expected - state.received} bytes short of the file; resume at the offset GetFile reports`)
      }
    } catch (error) {
      state.failure = error
      throw error
    }
  }
  return { state, body: body() }
}

async function upload(fx: FilesContext, call: UploadCall): Promise<Readonly<Record<string, unknown>>> {
  const userId = (await authenticate(fx.auth, call.metadata)).userId
  const next = messagesOf(call)
  const { record, offset } = await open(fx, userId, await next())
  const metadata = new Metadata()
  metadata.set('upload-id', record.id)
  metadata.set('upload-offset', String(record.upload ? record.upload.offset : record.sizeBytes))
  call.sendMetadata(metadata)
  const expected = Math.max(0, record.sizeBytes - offset)
  const { state, body } = bytesOf(next, expected)
  let done: FileRecord
  try {
    done = await appendToUpload(fx, userId, record.id, { offset, length: expected, body: expected === 0 ? Readable.from([]) : body })
  } catch (error) {
    throw state.failure ?? error
  }
  if (state.received > expected || (await next()) !== undefined) {
    throw errors.payloadTooLarge('chunk', `More bytes were sent than the ${record.sizeBytes} of size_bytes`)
  }
  return { file: presentFile(done) }
}

export function fileService({ fx, apiBase, report }: FileServiceOptions): UntypedServiceImplementation {
  const unary = unaryWith(report)
  const caller = async (call: { metadata: MetadataType }) => (await authenticate(fx.auth, call.metadata)).userId

  return {
    UploadFile: (call: UploadCall, callback: sendUnaryData<unknown>) => {
      upload(fx, call).then(
        (response) => {
          if (!call.cancelled) callback(null, response)
        },
        (error: unknown) => {
          if (!call.cancelled) callback(failure(error, report, call.getPath()))
        },
      )
    },

    GetFile: unary<FileIdRequest>(async (request, call) => {
      const userId = await caller(call)
      return { file: presentFile(await visibleFile(fx, userId, uuid(request.file_id, 'file_id'))) }
    }),

    GetDownloadUrl: unary<FileIdRequest>(async (request, call) => {
      const userId = await caller(call)
      const link = await downloadLink(fx, userId, uuid(request.file_id, 'file_id'), apiBase())
      return { download_url: link.url, expires_at: timestamp(link.expiresAt), expires_in: link.expiresIn, file: presentFile(link.record) }
    }),
  }
}
