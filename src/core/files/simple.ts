/**
 * @module Simple uploads: one stream, of a length learnt only at its end (a multipart/form-data
 * part). Metered as it flows — counted, hashed, and cut off past the limit — straight into the blob
 * store. The record exists from the start, so a crash mid-way leaves an upload the cleanup removes.
 */
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import type { FileRecord } from '../model.js'
import type { FilesContext } from './context.js'
import { fileErrors } from './errors.js'
import { BodyTooLongError, Meter } from './streams.js'
import { createUpload, discardUpload } from './uploads.js'

export interface SimpleUpload {
  readonly filename: string
  readonly contentType?: string | undefined
  readonly conversationId?: string | undefined
  readonly sha256?: string | undefined
  readonly body: Readable
}

export async function uploadSimple(fx: FilesContext, callerId: string, input: SimpleUpload): Promise<FileRecord> {
  const record = await createUpload(fx, callerId, {
    protocol: 'simple',
    filename: input.filename,
    sizeBytes: 0,
    sizeField: 'file',
    contentType: input.contentType,
    conversationId: input.conversationId,
    sha256: input.sha256,
    sha256Field: 'sha256',
  })
  const meter = new Meter(fx.files.maxFileBytes)
  try {
    const stored = fx.blobs.put(record.storageKey, meter)
    // The put may fail first (storage down): the pipeline then stops reading the body too.
    await Promise.all([pipeline(input.body, meter), stored])
  } catch (error) {
    meter.destroy() // stops the pipeline too, whichever side failed
    await discardUpload(fx, record)
    if (error instanceof BodyTooLongError) throw fileErrors.tooLarge('file', fx.files.maxFileBytes)
    throw error
  }
  const sha256 = meter.sha256()
  const declared = record.upload?.declaredSha256
  if (declared && declared !== sha256) {
    await discardUpload(fx, record)
    throw fileErrors.checksumMismatch('sha256', declared, sha256)
  }
  const ready = await fx.store.markFileReady(record.id, { sha256, sizeBytes: meter.bytes, completedAt: fx.now() })
  if (!ready) throw fileErrors.noSuchUpload(record.id)
  return ready
}
