/**
 * @module Completing an upload, whichever way its bytes came: join the chunks into the object,
 * establish its SHA-256 (from the running hash when this process saw every byte in order,
 * otherwise by reading the object back), check it against the declared one, and mark it ready.
 * A mismatch discards everything: nothing of a file that fails its checksum is kept.
 */
import { Readable } from 'node:stream'
import type { FileRecord, UploadPart } from '../model.js'
import type { FilesContext } from './context.js'
import { fileErrors } from './errors.js'
import { sha256Of } from './streams.js'
import { chunkCount, discardUpload } from './uploads.js'

/** Indexes of chunks not among `parts`. */
export function missingChunks(record: FileRecord, parts: readonly UploadPart[]): number[] {
  const total = chunkCount(record.sizeBytes, record.upload?.chunkSize ?? 1)
  const have = new Set(parts.map((p) => p.index))
  return Array.from({ length: total }, (_, i) => i).filter((i) => !have.has(i))
}

export async function finalizeUpload(fx: FilesContext, record: FileRecord, parts: readonly UploadPart[]): Promise<FileRecord> {
  const upload = record.upload
  if (!upload) return record
  const missing = missingChunks(record, parts)
  if (missing.length > 0) throw fileErrors.incomplete(missing)
  const key = record.storageKey
  let stored: number
  try {
    if (upload.multipartRef === null) {
      stored = (await fx.blobs.put(key, Readable.from([]), { size: 0 })).size
    } else {
      stored = (await fx.blobs.completeMultipart(
        key,
        upload.multipartRef,
        [...parts].sort((a, b) => a.index - b.index).map((p) => ({ partNumber: p.index + 1, etag: p.etag })),
      )).size
    }
  } catch (error) {
    // Parts uploaded straight to S3 are vouched for by the client alone; if S3 will not join
    // them, the upload cannot be saved.
    await discardUpload(fx, record)
    throw error
  }
  if (stored !== record.sizeBytes) {
    await discardUpload(fx, record)
    throw fileErrors.lengthMismatch('parts', `The parts add up to ${stored} bytes, not the ${record.sizeBytes} declared; the upload was discarded`)
  }
  const sha256 = fx.hashes.digest(record.id, record.sizeBytes) ?? (await sha256Of(await fx.blobs.get(key))).sha256
  if (upload.declaredSha256 !== null && upload.declaredSha256 !== sha256) {
    await discardUpload(fx, record)
    throw fileErrors.checksumMismatch('sha256', upload.declaredSha256, sha256)
  }
  const ready = await fx.store.markFileReady(record.id, { sha256, sizeBytes: stored, completedAt: fx.now() })
  fx.hashes.forget(record.id)
  if (upload.tailKey) await fx.blobs.delete(upload.tailKey).catch(() => undefined)
  // Another process completed it first: theirs is the same bytes.
  return ready ?? (await fx.store.getFile(record.id)) ?? record
}
