/** @module File metadata, upload state and access grants on the shared SQL store. */
import type { FileRecord, FileRef, FileState, UploadPart, UploadProtocol } from '../../../core/model.js'
import type { FileStore } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow } from './driver.js'
import type { Migration } from './migration.js'

/**
 * Version 3: upload state on `files` (from migration 1), the chunks received so far, and grants.
 * BIGINT is understood by both engines (SQLite gives it integer affinity).
 */
export const filesMigration: Migration = {
  version: 3,
  name: 'file-uploads',
  sql: [
    `ALTER TABLE files ADD COLUMN upload_protocol TEXT`,
    `ALTER TABLE files ADD COLUMN multipart_ref TEXT`,
    `ALTER TABLE files ADD COLUMN chunk_size BIGINT`,
    `ALTER TABLE files ADD COLUMN upload_offset BIGINT NOT NULL DEFAULT 0`,
    `ALTER TABLE files ADD COLUMN tail_key TEXT`,
    `ALTER TABLE files ADD COLUMN declared_sha256 TEXT`,
    `ALTER TABLE files ADD COLUMN upload_metadata TEXT`,
    `ALTER TABLE files ADD COLUMN expires_at BIGINT`,
    `CREATE INDEX files_expiring ON files (expires_at) WHERE state = 'uploading'`,
    `CREATE TABLE file_parts (
      file_id TEXT NOT NULL,
      part_index INTEGER NOT NULL,
      etag TEXT NOT NULL,
      size_bytes BIGINT NOT NULL,
      PRIMARY KEY (file_id, part_index)
    )`,
    `CREATE TABLE file_grants (
      file_id TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      granted_at BIGINT NOT NULL,
      PRIMARY KEY (file_id, conversation_id)
    )`,
  ],
}

/** Every column of `files`, in the order toFileRecord reads them (account-deletion.ts shares both). */
export const columns = `id, owner_id, filename, size_bytes, content_type, sha256, storage_key, state, conversation_id,
  created_at, completed_at, upload_protocol, multipart_ref, chunk_size, upload_offset, tail_key, declared_sha256,
  upload_metadata, expires_at`

const nullableText = (row: SqlRow, key: string): string | null => (row[key] == null ? null : String(row[key]))
const nullableInt = (row: SqlRow, key: string): number | null => (row[key] == null ? null : Number(row[key]))

export function toFileRecord(row: SqlRow): FileRecord {
  const state = String(row['state']) as FileState
  return {
    id: String(row['id']),
    ownerId: String(row['owner_id']),
    filename: String(row['filename']),
    sizeBytes: Number(row['size_bytes']),
    contentType: String(row['content_type']),
    sha256: nullableText(row, 'sha256'),
    storageKey: String(row['storage_key']),
    state,
    conversationId: nullableText(row, 'conversation_id'),
    createdAt: Number(row['created_at']),
    completedAt: nullableInt(row, 'completed_at'),
    upload:
      state === 'uploading'
        ? {
            protocol: String(row['upload_protocol']) as UploadProtocol,
            multipartRef: nullableText(row, 'multipart_ref'),
            chunkSize: Number(row['chunk_size']),
            offset: Number(row['upload_offset']),
            tailKey: nullableText(row, 'tail_key'),
            declaredSha256: nullableText(row, 'declared_sha256'),
            metadata: nullableText(row, 'upload_metadata'),
            expiresAt: Number(row['expires_at']),
          }
        : null,
  }
}

const upsertPart = `INSERT INTO file_parts (file_id, part_index, etag, size_bytes) VALUES ($1, $2, $3, $4)
  ON CONFLICT (file_id, part_index) DO UPDATE SET etag = excluded.etag, size_bytes = excluded.size_bytes`

async function getFile(db: SqlExecutor, id: string): Promise<FileRecord | undefined> {
  const [row] = await db.query(`SELECT ${columns} FROM files WHERE id = $1`, [id])
  return row && toFileRecord(row)
}

export function createSqlFileStore(db: SqlDriver, dialect: SqlDialect): FileStore {
  return {
    async getReadyFile(id): Promise<FileRef | undefined> {
      const file = await getFile(db, id)
      if (!file || file.state !== 'ready' || file.sha256 === null) return undefined
      const { ownerId, filename, sizeBytes, contentType, sha256 } = file
      return { id: file.id, ownerId, filename, sizeBytes, contentType, sha256 }
    },

    async createFile(file) {
      const upload = file.upload
      await db.run(
        `INSERT INTO files (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [
          file.id,
          file.ownerId,
          file.filename,
          file.sizeBytes,
          file.contentType,
          file.sha256,
          file.storageKey,
          file.state,
          file.conversationId,
          file.createdAt,
          file.completedAt,
          upload?.protocol ?? null,
          upload?.multipartRef ?? null,
          upload?.chunkSize ?? null,
          upload?.offset ?? 0,
          upload?.tailKey ?? null,
          upload?.declaredSha256 ?? null,
          upload?.metadata ?? null,
          upload?.expiresAt ?? null,
        ],
      )
    },

    getFile: (id) => getFile(db, id),

    async listUploadParts(fileId) {
      const rows = await db.query(
        'SELECT part_index, etag, size_bytes FROM file_parts WHERE file_id = $1 ORDER BY part_index',
        [fileId],
      )
      return rows.map((r): UploadPart => ({ index: Number(r['part_index']), etag: String(r['etag']), sizeBytes: Number(r['size_bytes']) }))
    },

    saveUploadPart(fileId, part) {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ state: string }>(`SELECT state FROM files WHERE id = $1 ${dialect.forUpdate}`, [fileId])
        if (row?.state !== 'uploading') return false
        await tx.run(upsertPart, [fileId, part.index, part.etag, part.sizeBytes])
        return true
      })
    },

    async deleteUploadPart(fileId, index) {
      await db.run('DELETE FROM file_parts WHERE file_id = $1 AND part_index = $2', [fileId, index])
    },

    advanceUpload(fileId, change) {
      return db.transaction(async (tx) => {
        const moved = await tx.run(
          `UPDATE files SET upload_offset = $3, tail_key = $4 WHERE id = $1 AND state = 'uploading' AND upload_offset = $2`,
          [fileId, change.fromOffset, change.toOffset, change.tailKey],
        )
        if (moved === 0) return false
        for (const part of change.parts) await tx.run(upsertPart, [fileId, part.index, part.etag, part.sizeBytes])
        return true
      })
    },

    markFileReady(fileId, ready) {
      return db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE files SET state = 'ready', sha256 = $2, size_bytes = $3, completed_at = $4, upload_offset = $3,
             multipart_ref = NULL, tail_key = NULL, expires_at = NULL
           WHERE id = $1 AND state = 'uploading'`,
          [fileId, ready.sha256, ready.sizeBytes, ready.completedAt],
        )
        if (changed === 0) return undefined
        await tx.run('DELETE FROM file_parts WHERE file_id = $1', [fileId])
        return getFile(tx, fileId)
      })
    },

    deleteFile(fileId) {
      return db.transaction(async (tx) => {
        const file = await getFile(tx, fileId)
        if (!file) return undefined
        await tx.run('DELETE FROM file_parts WHERE file_id = $1', [fileId])
        await tx.run('DELETE FROM file_grants WHERE file_id = $1', [fileId])
        await tx.run('DELETE FROM files WHERE id = $1', [fileId])
        return file
      })
    },

    async listExpiredUploads(now, limit) {
      const rows = await db.query(
        `SELECT ${columns} FROM files WHERE state = 'uploading' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
        [now, limit],
      )
      return rows.map(toFileRecord)
    },

    async grantFileAccess(fileId, conversationId, at) {
      await db.run(
        `INSERT INTO file_grants (file_id, conversation_id, granted_at) VALUES ($1, $2, $3)
         ON CONFLICT (file_id, conversation_id) DO NOTHING`,
        [fileId, conversationId, at],
      )
    },

    async canAccessFile(fileId, userId) {
      const rows = await db.query(
        `SELECT 1 AS ok FROM files WHERE id = $1 AND owner_id = $2
         UNION ALL
         SELECT 1 AS ok FROM file_grants g JOIN members m ON m.conversation_id = g.conversation_id
         WHERE g.file_id = $1 AND m.member_id = $2`,
        [fileId, userId],
      )
      return rows.length > 0
    },
  }
}
