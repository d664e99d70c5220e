/** @module Store contract: file metadata, upload state (chunks, tus offsets) and access grants. */
import { describe, expect, it } from 'vitest'
import type { FileRecord, UploadProtocol } from '../../core/model.js'
import { T0, createGroup, range, sharedStore, uid, type StoreFactory } from './harness.js'

const MiB = 1024 * 1024

export function newFile(overrides: Partial<FileRecord> = {}, protocol: UploadProtocol = 'tus'): FileRecord {
  const id = uid('f')
  return {
    id,
    ownerId: uid('owner'),
    filename: 'report.pdf',
    sizeBytes: 20 * MiB,
    contentType: 'application/pdf',
    sha256: null,
    storageKey: `files/${id}`,
    state: 'uploading',
    conversationId: null,
    createdAt: T0,
    completedAt: null,
    upload: {
      protocol,
      multipartRef: `ref-${id}`,
      chunkSize: 8 * MiB,
      offset: 0,
      tailKey: null,
      declaredSha256: null,
      metadata: 'filename cmVwb3J0LnBkZg==',
      expiresAt: T0 + 86_400_000,
    },
    ...overrides,
  }
}

const hash = 'ab'.repeat(32)

export function fileContract(make: StoreFactory): void {
  describe('files', () => {
    const store = sharedStore(make)

    it('records an upload and reads it back in any state; only ready files are attachable', async () => {
      const file = newFile({ conversationId: uid('c') })
      await store().createFile(file)
      expect(await store().getFile(file.id)).toEqual(file)
      expect(await store().getReadyFile(file.id)).toBeUndefined()
      expect(await store().getFile(uid('f'))).toBeUndefined()
    })

    it('keeps chunks by index, replacing a chunk sent again, and refuses them once the file is ready', async () => {
      const file = newFile({}, 'chunked')
      await store().createFile(file)
      expect(await store().saveUploadPart(file.id, { index: 2, etag: 'e2', sizeBytes: 4 * MiB })).toBe(true)
      expect(await store().saveUploadPart(file.id, { index: 0, etag: 'e0', sizeBytes: 8 * MiB })).toBe(true)
      expect(await store().saveUploadPart(file.id, { index: 0, etag: 'e0-again', sizeBytes: 8 * MiB })).toBe(true)
      expect(await store().listUploadParts(file.id)).toEqual([
        { index: 0, etag: 'e0-again', sizeBytes: 8 * MiB },
        { index: 2, etag: 'e2', sizeBytes: 4 * MiB },
      ])
      await store().deleteUploadPart(file.id, 2)
      expect(await store().listUploadParts(file.id)).toEqual([{ index: 0, etag: 'e0-again', sizeBytes: 8 * MiB }])
      await store().markFileReady(file.id, { sha256: hash, sizeBytes: file.sizeBytes, completedAt: T0 + 5 })
      expect(await store().saveUploadPart(file.id, { index: 1, etag: 'late', sizeBytes: 8 * MiB })).toBe(false)
      expect(await store().listUploadParts(file.id)).toEqual([])
      expect(await store().saveUploadPart(uid('f'), { index: 0, etag: 'x', sizeBytes: 1 })).toBe(false)
    })

    it('advances a tus offset only from where it stands, once among concurrent writers', async () => {
      const file = newFile()
      await store().createFile(file)
      const part = { index: 0, etag: 'p0', sizeBytes: 8 * MiB }
      expect(await store().advanceUpload(file.id, { fromOffset: 5, toOffset: 9, tailKey: null, parts: [] })).toBe(false)
      const outcomes = await Promise.all(
        range(6).map(() => store().advanceUpload(file.id, { fromOffset: 0, toOffset: 9 * MiB, tailKey: 'tail-9', parts: [part] })),
      )
      expect(outcomes.filter(Boolean)).toHaveLength(1)
      const advanced = await store().getFile(file.id)
      expect(advanced?.upload).toMatchObject({ offset: 9 * MiB, tailKey: 'tail-9' })
      expect(await store().listUploadParts(file.id)).toEqual([part])
      expect(await store().advanceUpload(file.id, { fromOffset: 9 * MiB, toOffset: 16 * MiB, tailKey: null, parts: [] })).toBe(true)
      expect((await store().getFile(file.id))?.upload).toMatchObject({ offset: 16 * MiB, tailKey: null })
    })

    it('marks a file ready once, dropping the upload state', async () => {
      const file = newFile()
      await store().createFile(file)
      await store().saveUploadPart(file.id, { index: 0, etag: 'p0', sizeBytes: 8 * MiB })
      const ready = await store().markFileReady(file.id, { sha256: hash, sizeBytes: 123, completedAt: T0 + 9 })
      expect(ready).toEqual({ ...file, state: 'ready', sha256: hash, sizeBytes: 123, completedAt: T0 + 9, upload: null })
      expect(await store().getReadyFile(file.id)).toEqual({
        id: file.id,
        ownerId: file.ownerId,
        filename: file.filename,
        sizeBytes: 123,
        contentType: file.contentType,
        sha256: hash,
      })
      expect(await store().markFileReady(file.id, { sha256: hash, sizeBytes: 123, completedAt: T0 + 10 })).toBeUndefined()
      expect(await store().advanceUpload(file.id, { fromOffset: 123, toOffset: 124, tailKey: null, parts: [] })).toBe(false)
    })

    it('lists expired uploads, oldest first, never ready files', async () => {
      const now = T0 + 10_000_000_000
      const older = newFile({ upload: { ...newFile().upload!, expiresAt: now - 2000 } })
      const old = newFile({ upload: { ...newFile().upload!, expiresAt: now - 1000 } })
      const fresh = newFile({ upload: { ...newFile().upload!, expiresAt: now + 1000 } })
      const done = newFile({ upload: { ...newFile().upload!, expiresAt: now - 3000 } })
      for (const f of [fresh, old, older, done]) await store().createFile(f)
      await store().markFileReady(done.id, { sha256: hash, sizeBytes: 1, completedAt: T0 })
      const expired = (await store().listExpiredUploads(now, 1000)).map((f) => f.id)
      expect(expired.indexOf(older.id)).toBeGreaterThanOrEqual(0)
      expect(expired.indexOf(older.id)).toBeLessThan(expired.indexOf(old.id))
      expect(expired).not.toContain(fresh.id)
      expect(expired).not.toContain(done.id)
      expect(await store().listExpiredUploads(now, 1)).toHaveLength(1)
    })

    it('deletes a file with its chunks and grants, returning what it was', async () => {
      const file = newFile()
      await store().createFile(file)
      await store().saveUploadPart(file.id, { index: 0, etag: 'p0', sizeBytes: 1 })
      await store().grantFileAccess(file.id, uid('c'), T0)
      expect(await store().deleteFile(file.id)).toEqual(file)
      expect(await store().getFile(file.id)).toBeUndefined()
      expect(await store().listUploadParts(file.id)).toEqual([])
      expect(await store().deleteFile(file.id)).toBeUndefined()
    })

    it('lets the owner and the current members of granted conversations access a file, no one else', async () => {
      const [owner, friend, stranger, leaver] = [uid('u'), uid('u'), uid('u'), uid('u')]
      const file = newFile({ ownerId: owner })
      await store().createFile(file)
      const group = await createGroup(store(), [owner, friend, leaver])
      const other = await createGroup(store(), [stranger])
      expect(await store().canAccessFile(file.id, owner)).toBe(true)
      expect(await store().canAccessFile(file.id, friend)).toBe(false)
      await store().grantFileAccess(file.id, group.id, T0)
      await store().grantFileAccess(file.id, group.id, T0 + 1)
      expect(await store().canAccessFile(file.id, friend)).toBe(true)
      expect(await store().canAccessFile(file.id, leaver)).toBe(true)
      expect(await store().canAccessFile(file.id, stranger)).toBe(false)
      await store().removeMember(group.id, leaver, T0 + 2)
      expect(await store().canAccessFile(file.id, leaver)).toBe(false)
      expect(await store().canAccessFile(uid('f'), owner)).toBe(false)
      expect(other.id).not.toBe(group.id)
    })
  })
}
