/** @module What the file use cases need beyond the core's context: the blob store and the limits. */
import type { BlobStore } from '../../ports/blobs.js'
import type { CoreContext } from '../context.js'
import { RunningHashes, UploadLocks } from './hashes.js'
import { createUrlSigner, type UrlSigner } from './signing.js'

export interface FileSettings {
  /** Largest file, in bytes (default 2 GiB). */
  readonly maxFileBytes: number
  /** Chunk (multipart part) size of resumable uploads; at least 5 MiB for S3. */
  readonly chunkBytes: number
  /** How long an upload may stay incomplete. */
  readonly uploadExpiryMs: number
  /** Lifetime of a download URL. */
  readonly downloadUrlTtlSeconds: number
}

export interface FilesContext extends CoreContext {
  readonly blobs: BlobStore
  readonly files: FileSettings
  readonly urls: UrlSigner
  readonly hashes: RunningHashes
  readonly locks: UploadLocks
}

/** `secret` signs download URLs; every process serving the API must share it. */
export function createFilesContext(ctx: CoreContext, blobs: BlobStore, files: FileSettings, secret: string): FilesContext {
  return { ...ctx, blobs, files, urls: createUrlSigner(secret), hashes: new RunningHashes(), locks: new UploadLocks() }
}
