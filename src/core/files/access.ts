/**
 * @module Reading files: who may see one (its uploader, and the members of a conversation it was
 * uploaded for or attached to — for anyone else it does not exist), its metadata, time-limited
 * download URLs, and the bytes behind the API's own signed URLs.
 */
import type { Readable } from 'node:stream'
import type { ByteRange } from '../../ports/blobs.js'
import type { AttachedFile, FileRecord } from '../model.js'
import type { FilesContext } from './context.js'
import { fileErrors } from './errors.js'
import { contentDisposition } from './names.js'

export async function visibleFile(fx: FilesContext, callerId: string, id: string): Promise<FileRecord> {
  const record = await fx.store.getFile(id)
  if (!record) throw fileErrors.noSuchFile(id)
  if (record.ownerId === callerId) return record
  // An upload in progress is its uploader's business only.
  if (record.state !== 'ready' || !(await fx.store.canAccessFile(id, callerId))) throw fileErrors.noSuchFile(id)
  return record
}

export const checksumOf = (record: { readonly sha256: string | null }) => (record.sha256 ? `sha256:${record.sha256}` : null)

/** What a message carries about its file. */
export function attachedFile(record: { filename: string; sizeBytes: number; contentType: string; sha256: string }): AttachedFile {
  return { filename: record.filename, size_bytes: record.sizeBytes, mimetype: record.contentType, checksum: `sha256:${record.sha256}` }
}

export interface DownloadLink {
  readonly record: FileRecord
  readonly url: string
  readonly expiresAt: number
  readonly expiresIn: number
}

/** A URL anyone holding it may GET the file with until it expires. `apiBase` serves the file store's bytes. */
export async function downloadLink(fx: FilesContext, callerId: string, id: string, apiBase: string): Promise<DownloadLink> {
  const record = await visibleFile(fx, callerId, id)
  if (record.state !== 'ready') throw fileErrors.notReady(id)
  const expiresIn = fx.files.downloadUrlTtlSeconds
  const expiresAtSeconds = Math.floor(fx.now() / 1000) + expiresIn
  const presigned = await fx.blobs.presignGet(record.storageKey, {
    expiresInSeconds: expiresIn,
    contentType: record.contentType,
    contentDisposition: contentDisposition(record.filename, record.contentType),
  })
  const url = presigned ?? `${apiBase}/v1/files/${record.id}/content?${fx.urls.sign(record.id, expiresAtSeconds)}`
  return { record, url, expiresAt: expiresAtSeconds * 1000, expiresIn }
}

/** The file behind a signed URL, after checking the signature and expiry. */
export async function signedFile(
  fx: FilesContext,
  id: string,
  query: { readonly expires?: string | undefined; readonly signature?: string | undefined },
): Promise<FileRecord> {
  const verdict = fx.urls.verify(id, query.expires, query.signature, Math.floor(fx.now() / 1000))
  if (verdict === 'invalid') throw fileErrors.signedUrlInvalid()
  if (verdict === 'expired') throw fileErrors.signedUrlExpired()
  const record = await fx.store.getFile(id)
  if (!record || record.state !== 'ready') throw fileErrors.noSuchFile(id)
  return record
}

export function readFile(fx: FilesContext, record: FileRecord, range?: ByteRange): Promise<Readable> {
  return fx.blobs.get(record.storageKey, range)
}
