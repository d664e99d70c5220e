/**
 * @module The one upload model behind tus, chunked REST and simple uploads: a file record in the
 * `uploading` state, its bytes arriving as numbered chunks (multipart parts) of a fixed size, until
 * it is completed (finalize.ts) or terminated, or it expires (cleanup.ts).
 */
import { MAX_PARTS } from '../../ports/blobs.js'
import { requireMembership } from '../conversations.js'
import { errors } from '../errors.js'
import type { FileRecord, UploadProtocol } from '../model.js'
import type { FilesContext } from './context.js'
import { fileErrors } from './errors.js'
import { normalizeContentType, parseSha256, sanitizeFilename } from './names.js'
import { uploadLockOf } from './upload-lock.js'

/** Storage names come from our ids only, never from anything a client sent. */
export const storageKeyOf = (fileId: string) => `files/${fileId.slice(0, 2)}/${fileId}`
/** Each tail gets a new key (its end offset), so the committed one is never overwritten in place. */
export const tailKeyOf = (fileId: string, endOffset: number) => `uploads/${fileId}/tail-${endOffset}`

/** The configured chunk size, or larger when the file would need more than S3's 10,000 parts. */
export const chunkSizeFor = (sizeBytes: number, configured: number) => Math.max(configured, Math.ceil(sizeBytes / MAX_PARTS))
export const chunkCount = (sizeBytes: number, chunkSize: number) => Math.ceil(sizeBytes / chunkSize)
export const chunkLength = (sizeBytes: number, chunkSize: number, index: number) =>
  Math.max(0, Math.min(chunkSize, sizeBytes - index * chunkSize))

export interface UploadRequest {
  readonly protocol: UploadProtocol
  readonly filename: string
  /** Declared size; simple uploads count it at the end and pass 0. */
  readonly sizeBytes: number
  /** The request field the size came from, for errors (`size`, `Upload-Length`). */
  readonly sizeField: string
  readonly contentType?: string | undefined
  /** Declared SHA-256 (hex, `sha256:hex` or base64) and the field it came from. */
  readonly sha256?: string | undefined
  readonly sha256Field?: string
  readonly conversationId?: string | undefined
  /** tus `Upload-Metadata`, echoed back by HEAD. */
  readonly metadata?: string | undefined
}

/** Refuses a declared size over the limit, before any byte of the body is read. */
export function checkDeclaredSize(fx: FilesContext, sizeBytes: number, field: string): void {
  if (sizeBytes > fx.files.maxFileBytes) throw fileErrors.tooLarge(field, fx.files.maxFileBytes)
}

export async function createUpload(fx: FilesContext, callerId: string, request: UploadRequest): Promise<FileRecord> {
  checkDeclaredSize(fx, request.sizeBytes, request.sizeField)
  let declaredSha256: string | null = null
  if (request.sha256 !== undefined && request.sha256 !== '') {
    declaredSha256 = parseSha256(request.sha256) ?? null
    if (!declaredSha256) throw errors.validation(request.sha256Field ?? 'sha256', 'sha256 must be 64 hex digits (or base64 of 32 bytes)')
  }
  const conversationId = request.conversationId?.toLowerCase()
  if (conversationId !== undefined) await requireMembership(fx, callerId, conversationId)
  const id = fx.newId()
  const storageKey = storageKeyOf(id)
  const chunkSize = chunkSizeFor(request.sizeBytes, fx.files.chunkBytes)
  const resumable = request.protocol !== 'simple' && request.sizeBytes > 0
  const now = fx.now()
  const record: FileRecord = {
    id,
    ownerId: callerId,
    filename: sanitizeFilename(request.filename),
    sizeBytes: request.sizeBytes,
    contentType: normalizeContentType(request.contentType),
    sha256: null,
    storageKey,
    state: 'uploading',
    conversationId: conversationId ?? null,
    createdAt: now,
    completedAt: null,
    upload: {
      protocol: request.protocol,
      multipartRef: resumable ? await fx.blobs.createMultipart(storageKey, { partSize: chunkSize }) : null,
      chunkSize,
      offset: 0,
      tailKey: null,
      declaredSha256,
      metadata: request.metadata ?? null,
      expiresAt: now + fx.files.uploadExpiryMs,
    },
  }
  await fx.store.createFile(record)
  if (conversationId !== undefined) await fx.store.grantFileAccess(id, conversationId, now)
  return record
}

/** The caller's upload (or the file it became). Someone else's is as good as missing. */
export async function loadUpload(fx: FilesContext, callerId: string, id: string): Promise<FileRecord> {
  const record = await fx.store.getFile(id)
  if (!record || record.ownerId !== callerId) throw fileErrors.noSuchUpload(id)
  if (record.upload && record.upload.expiresAt <= fx.now()) throw fileErrors.uploadExpired(id)
  return record
}

/** The upload still in progress, or an error naming why not. */
export function inProgress(record: FileRecord, protocol: UploadProtocol): NonNullable<FileRecord['upload']> {
  const upload = record.upload
  if (!upload) throw errors.validation('upload_id', `Upload '${record.id}' is already complete`)
  if (upload.protocol !== protocol) {
    throw errors.validation('upload_id', `Upload '${record.id}' was started with ${upload.protocol}; continue it the same way`)
  }
  return upload
}

/** Forgets an upload and deletes whatever bytes it left, as far as the storage allows. */
export async function discardUpload(fx: FilesContext, record: FileRecord): Promise<void> {
  await fx.store.deleteFile(record.id)
  fx.hashes.forget(record.id)
  const upload = record.upload
  const cleanups: Promise<unknown>[] = [fx.blobs.delete(record.storageKey)]
  if (upload?.multipartRef) cleanups.push(fx.blobs.abortMultipart(record.storageKey, upload.multipartRef))
  if (upload?.tailKey) cleanups.push(fx.blobs.delete(upload.tailKey))
  await Promise.allSettled(cleanups)
}

/** tus termination and chunked abort: only uploads still in progress, only by their owner. */
export async function terminateUpload(fx: FilesContext, callerId: string, id: string): Promise<void> {
  await fx.locks.withLock(id, async () => {
    // Held alone in the store, so a chunk another process is writing refuses the abort (423) rather
    // than lose its bytes under it.
    const done = await fx.store.tryWithLock(uploadLockOf(id), async () => {
      const record = await fx.store.getFile(id)
      if (!record || record.ownerId !== callerId || record.state !== 'uploading') throw fileErrors.noSuchUpload(id)
      await discardUpload(fx, record)
    })
    if (!done) throw fileErrors.locked(id)
  })
}
