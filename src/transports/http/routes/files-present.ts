/** @module Files → JSON shapes of the API (snake_case, ISO-8601 times, `sha256:<hex>` checksums). */
import { checksumOf } from '../../../core/files/access.js'
import type { FileRecord } from '../../../core/model.js'
import type { FileInfo, UploadedFile } from '../../../wire/index.js'
import { iso } from '../present.js'

/** What an upload answers once the file is ready. */
export function presentUploaded(record: FileRecord): UploadedFile {
  return {
    file_id: record.id,
    filename: record.filename,
    size_bytes: record.sizeBytes,
    mimetype: record.contentType,
    checksum: checksumOf(record),
    uploaded_at: iso(record.completedAt),
  }
}

/** A file's metadata and state, for its owner and the members it is shared with. */
export function presentFile(record: FileRecord): FileInfo {
  return {
    ...presentUploaded(record),
    state: record.state,
    owner_id: record.ownerId,
    conversation_id: record.conversationId,
    created_at: iso(record.createdAt),
    ...(record.upload
      ? {
          upload: {
            protocol: record.upload.protocol,
            chunk_size: record.upload.chunkSize,
            expires_at: iso(record.upload.expiresAt),
          },
        }
      : {}),
  }
}
