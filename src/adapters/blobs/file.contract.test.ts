import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { blobContract, streamOf } from '../../ports/blobs.contract.js'
import { createFileBlobStore } from './file.js'

blobContract('file', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chat4all-blobs-'))
  const blobs = await createFileBlobStore({ root })
  return { blobs, cleanup: () => rm(root, { recursive: true, force: true }) }
})

describe('file blob store', () => {
  it('keeps objects under its root and leaves nothing behind after failed or aborted writes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'chat4all-blobs-'))
    try {
      const blobs = await createFileBlobStore({ root })
      await blobs.put('files/ab/one', streamOf(Buffer.from('hello')))
      await expect(blobs.put('files/ab/two', streamOf(Buffer.from('too long')), { size: 3 })).rejects.toThrow()
      const ref = await blobs.createMultipart('files/ab/three', { partSize: 5 * 1024 * 1024 })
      await blobs.abortMultipart('files/ab/three', ref)
      expect(await readdir(join(root, 'files/ab'))).toEqual(['one'])
      expect(await readdir(join(root, '.tmp'))).toEqual([])
      expect(await readdir(join(root, '.multipart'))).toEqual([])
      // A leftover older than the cut-off is swept.
      await blobs.createMultipart('files/ab/four', { partSize: 5 * 1024 * 1024 })
      expect(await blobs.sweep(Date.now() + 1000)).toBe(1)
      expect(await readdir(join(root, '.multipart'))).toEqual([])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
