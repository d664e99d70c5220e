/**
 * @module Chunked REST uploads: numbered chunks of a fixed size, sent in any order, concurrently,
 * again when lost; a status call lists what is missing, `complete` joins them. In the S3 shape a
 * client may also PUT chunks straight to S3 with presigned part URLs and name their ETags at the end.
 */
import { errors } from '../errors.js'
import type { FileRecord, UploadPart } from '../model.js'
import type { FilesContext } from './context.js'
import { fileErrors } from './errors.js'
import { finalizeUpload, missingChunks } from './finalize.js'
import { ByteSource } from './streams.js'
import { uploadLockOf } from './upload-lock.js'
import { chunkCount, chunkLength, createUpload, inProgress, loadUpload, type UploadRequest } from './uploads.js'

export interface InitiatedUpload {
  readonly record: FileRecord
  readonly totalChunks: number
  /** Presigned part URLs by chunk index, when the blob store hands them out (S3). */
  readonly partUrls: readonly string[] | undefined
}

export async function initiateChunkedUpload(
  fx: FilesContext,
  callerId: string,
  request: Omit<UploadRequest, 'protocol'>,
): Promise<InitiatedUpload> {
  const record = await createUpload(fx, callerId, { ...request, protocol: 'chunked' })
  const upload = record.upload!
  const totalChunks = chunkCount(record.sizeBytes, upload.chunkSize)
  let partUrls: string[] | undefined
  if (upload.multipartRef) {
    const seconds = Math.max(1, Math.floor((upload.expiresAt - fx.now()) / 1000))
    const urls = await Promise.all(
      Array.from({ length: totalChunks }, (_, i) =>
        fx.blobs.presignPart(
          record.storageKey,
          upload.multipartRef!,
          { partNumber: i + 1, contentLength: chunkLength(record.sizeBytes, upload.chunkSize, i) },
          seconds,
        ),
      ),
    )
    partUrls = urls.every((url): url is string => url !== undefined) ? urls : undefined
  }
  return { record, totalChunks, partUrls }
}

export interface ChunkInput {
  readonly index: number
  /** The request's Content-Length; undefined for a chunked transfer. */
  readonly declaredLength: number | undefined
  readonly body: AsyncIterable<Buffer>
}

const chunkLockOf = (id: string, index: number) => `${id}#${index}`


export async function putChunk(fx: FilesContext, callerId: string, id: string, input: ChunkInput): Promise<UploadPart> {
  // The same chunk twice at once would interleave its bytes (and its hash): one at a time.
  const release = fx.locks.tryLock(chunkLockOf(id, input.index))
  if (!release) throw fileErrors.locked(id)
  try {
    // Completing (or aborting) joins and moves the staged bytes: no chunk may be written meanwhile.
    if (fx.locks.isHeld(id)) throw fileErrors.locked(id)
    // Nor while another process completes it. Refused rather than queued, as here: the client retries.
    const stored = await fx.store.tryWithLock(uploadLockOf(id), () => storeChunk(fx, callerId, id, input), 'shared')
    if (!stored) throw fileErrors.locked(id)
    return stored.value
  } finally {
    release()
  }
}

async function storeChunk(fx: FilesContext, callerId: string, id: string, input: ChunkInput): Promise<UploadPart> {
  const record = await loadUpload(fx, callerId, id)
  const upload = inProgress(record, 'chunked')
  const total = chunkCount(record.sizeBytes, upload.chunkSize)
  if (!Number.isInteger(input.index) || input.index < 0 || input.index >= total) {
    throw errors.validation('index', `This upload has chunks 0…${total - 1}`)
  }
  const expected = chunkLength(record.sizeBytes, upload.chunkSize, input.index)
  if (input.declaredLength !== undefined && input.declaredLength > expected) {
    throw errors.payloadTooLarge('Content-Length', `Chunk ${input.index} is ${expected} bytes; the request declares ${input.declaredLength}`)
  }
  if (input.declaredLength !== undefined && input.declaredLength !== expected) {
    throw fileErrors.lengthMismatch('Content-Length', `Chunk ${input.index} is ${expected} bytes; the request declares ${input.declaredLength}`)
  }
  const offset = input.index * upload.chunkSize
  const running = fx.hashes.continueAt(id, offset)
  const source = new ByteSource(input.body)
  let etag: string
  try {
    try {
      etag = await fx.blobs.putPart(record.storageKey, upload.multipartRef!, input.index + 1, source.take(expected, running && ((c) => running.update(c))), expected)
    } catch (error) {
      // A body without a Content-Length that ended short: the client's mistake, not ours.
      if (source.endedEarly) throw fileErrors.lengthMismatch('body', `Chunk ${input.index} is ${expected} bytes; fewer were sent`)
      throw error
    }
    // Without a Content-Length nothing else stops a longer body: it is cut off here and refused.
    if (!(await source.atEnd())) throw errors.payloadTooLarge('body', `Chunk ${input.index} is ${expected} bytes; more were sent`)
  } catch (error) {
    // The part may now hold some of these bytes over an earlier good copy: it counts as missing
    // until it is sent again whole, so `complete` can never join a mix of the two.
    await fx.store.deleteUploadPart(id, input.index)
    throw error
  }
  const part: UploadPart = { index: input.index, etag, sizeBytes: expected }
  if (!(await fx.store.saveUploadPart(id, part))) throw fileErrors.noSuchUpload(id)
  if (running) fx.hashes.commit(id, offset + expected, running)
  return part
}

export interface UploadStatus {
  readonly record: FileRecord
  readonly totalChunks: number
  readonly received: readonly number[]
  readonly missing: readonly number[]
  readonly bytesReceived: number
}

export async function uploadStatus(fx: FilesContext, callerId: string, id: string): Promise<UploadStatus> {
  const record = await loadUpload(fx, callerId, id)
  const chunkSize = record.upload?.chunkSize ?? Math.max(1, record.sizeBytes)
  const totalChunks = chunkCount(record.sizeBytes, chunkSize)
  if (!record.upload) {
    return { record, totalChunks, received: Array.from({ length: totalChunks }, (_, i) => i), missing: [], bytesReceived: record.sizeBytes }
  }
  const parts = await fx.store.listUploadParts(id)
  return {
    record,
    totalChunks,
    received: parts.map((p) => p.index),
    missing: missingChunks(record, parts),
    bytesReceived: parts.reduce((sum, p) => sum + p.sizeBytes, 0),
  }
}

/** Chunks the client put straight to storage (presigned part URLs), named by their ETag. */
export interface DirectPart {
  readonly index: number
  readonly etag: string
}

export async function completeChunkedUpload(
  fx: FilesContext,
  callerId: string,
  id: string,
  direct: readonly DirectPart[] = [],
): Promise<FileRecord> {
  // A chunk still being written would land in the object after it was joined and hashed. The store's
  // lock, held alone, keeps chunks out in every process; one being written refuses us rather than make
  // us wait for a client that may be streaming it slowly. In this process a second `complete` waits
  // here, then finds the file ready.
  return fx.locks.withLock(id, async () => {
    const completed = await fx.store.tryWithLock(uploadLockOf(id), () => complete(fx, callerId, id, direct))
    if (!completed) throw fileErrors.locked(id)
    return completed.value
  })
}

async function complete(fx: FilesContext, callerId: string, id: string, direct: readonly DirectPart[]): Promise<FileRecord> {
  const record = await loadUpload(fx, callerId, id)
  if (record.state === 'ready') return record
  const upload = inProgress(record, 'chunked')
  const stored = await fx.store.listUploadParts(id)
  const byIndex = new Map(stored.map((p) => [p.index, p]))
  // Only a store that hands out part URLs can hold chunks the API never saw; elsewhere a named
  // part is a claim about bytes that were never sent (the file store would zero-fill them).
  for (const part of fx.blobs.kind === 's3' ? direct : []) {
    if (byIndex.has(part.index)) continue // what came through the API is known for sure
    const size = chunkLength(record.sizeBytes, upload.chunkSize, part.index)
    if (size <= 0) throw errors.validation('parts', `This upload has no chunk ${part.index}`)
    byIndex.set(part.index, { index: part.index, etag: part.etag, sizeBytes: size })
  }
  return finalizeUpload(fx, record, [...byIndex.values()])
}
