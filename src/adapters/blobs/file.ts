/**
 * @module The local-directory blob store: the all-in-one default. Objects are files under the root
 * named by their key. Writes go to a temporary file first and are renamed into place, so a reader
 * never sees half an object; multipart parts are written at their offset into one staging file,
 * so completing an upload of any size is a rename, not a copy.
 */
import { randomUUID } from 'node:crypto'
import type { Stats } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import {
  assertBlobKey,
  assertPartNumber,
  BlobNotFoundError,
  type BlobInfo,
  type BlobStore,
  type MultipartPart,
} from '../../ports/blobs.js'

export interface FileBlobStoreOptions {
  /** The directory objects live in; created when missing. */
  readonly root: string
  /** fsync each object and part before reporting it stored (default true). */
  readonly durable?: boolean
}

const TMP = '.tmp'
const MULTIPART = '.multipart'
// Writes are gathered into batches of about this size: one system call per batch, not per chunk.
const WRITE_BATCH = 1024 * 1024

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT'

/**
 * Writes the body at `position`; returns the bytes written. Stops reading as soon as `limit` is
 * passed. One batch is written while the next is read: the disk and the network both keep busy,
 * and memory stays at two batches.
 */
async function writeBody(handle: FileHandle, body: Readable, position: number, limit: number): Promise<number> {
  let queued = 0
  let batch: Buffer[] = []
  let batched = 0
  let writing: Promise<unknown> = Promise.resolve()
  const flush = async () => {
    if (batched === 0) return
    const buffers = batch
    const at = position + queued
    queued += batched
    batch = []
    batched = 0
    await writing
    writing = handle.writev(buffers, at)
    writing.catch(() => undefined) // awaited at the next flush or at the end
  }
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (queued + batched + chunk.length > limit) {
        body.destroy()
        throw new RangeError(`the body is longer than the ${limit} bytes expected`)
      }
      batch.push(chunk)
      batched += chunk.length
      if (batched >= WRITE_BATCH) await flush()
    }
    await flush()
  } finally {
    await writing.catch(() => undefined)
  }
  await writing
  return queued
}

/** A multipart reference: a random id and the part size, so parts know their offset without state. */
function parseRef(ref: string): { id: string; partSize: number } {
  const match = /^([0-9a-f-]{36})-(\d{1,12})$/.exec(ref)
  if (!match) throw new BlobNotFoundError(`multipart upload '${ref}'`)
  return { id: match[1]!, partSize: Number(match[2]) }
}

/** Part etags carry the part's size, which `completeMultipart` needs to know the object's length. */
const partEtag = (partNumber: number, size: number) => `p${partNumber}-${size}`

function partSizeOf(part: MultipartPart): number {
  const match = /^p(\d+)-(\d+)$/.exec(part.etag)
  if (!match || Number(match[1]) !== part.partNumber) throw new Error(`part ${part.partNumber} has a foreign etag '${part.etag}'`)
  return Number(match[2])
}

export async function createFileBlobStore(options: FileBlobStoreOptions): Promise<BlobStore> {
  const root = resolve(options.root)
  const durable = options.durable ?? true
  await mkdir(join(root, TMP), { recursive: true })
  await mkdir(join(root, MULTIPART), { recursive: true })

  const pathOf = (key: string): string => {
    const path = resolve(root, assertBlobKey(key))
    // The key pattern already forbids it; this makes escaping the root impossible by construction.
    if (!path.startsWith(root + sep)) throw new Error(`blob key '${key}' resolves outside the store`)
    return path
  }
  const stagingOf = (ref: string) => join(root, MULTIPART, parseRef(ref).id)
  const info = (stats: Stats): BlobInfo => ({ size: stats.size, etag: `${stats.size}-${Math.floor(stats.mtimeMs)}` })

  async function statKey(key: string): Promise<BlobInfo | undefined> {
    try {
      return info(await stat(pathOf(key)))
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async function place(from: string, key: string): Promise<BlobInfo> {
    const target = pathOf(key)
    await mkdir(dirname(target), { recursive: true })
    await rename(from, target)
    return info(await stat(target))
  }

  return {
    kind: 'file',

    async put(key, body, putOptions = {}) {
      pathOf(key)
      const temp = join(root, TMP, randomUUID())
      const handle = await open(temp, 'w')
      try {
        const written = await writeBody(handle, body, 0, putOptions.size ?? Number.MAX_SAFE_INTEGER)
        if (putOptions.size !== undefined && written !== putOptions.size) {
          throw new RangeError(`the body ended after ${written} of ${putOptions.size} bytes`)
        }
        if (durable) await handle.sync()
        await handle.close()
        return await place(temp, key)
      } catch (error) {
        await handle.close().catch(() => undefined)
        await rm(temp, { force: true })
        throw error
      }
    },

    async get(key, range) {
      let handle: FileHandle
      try {
        handle = await open(pathOf(key), 'r')
      } catch (error) {
        if (isMissing(error)) throw new BlobNotFoundError(key)
        throw error
      }
      // The stream owns the handle from here and closes it when done or destroyed.
      return handle.createReadStream({ ...(range ? { start: range.start, end: range.end } : {}), highWaterMark: 256 * 1024 })
    },

    stat: statKey,

    async delete(key) {
      await rm(pathOf(key), { force: true })
    },

    async createMultipart(key, { partSize }) {
      pathOf(key)
      if (!Number.isInteger(partSize) || partSize < 1) throw new RangeError(`invalid part size ${partSize}`)
      const ref = `${randomUUID()}-${partSize}`
      const staging = stagingOf(ref)
      await mkdir(staging, { recursive: true })
      await (await open(join(staging, 'data'), 'w')).close()
      return ref
    },

    async putPart(key, ref, partNumber, body, size) {
      pathOf(key)
      assertPartNumber(partNumber)
      const { partSize } = parseRef(ref)
      if (size > partSize) throw new RangeError(`part ${partNumber} is ${size} bytes; parts are at most ${partSize}`)
      let handle: FileHandle
      try {
        handle = await open(join(stagingOf(ref), 'data'), 'r+')
      } catch (error) {
        if (isMissing(error)) throw new BlobNotFoundError(`multipart upload '${ref}'`)
        throw error
      }
      try {
        const written = await writeBody(handle, body, (partNumber - 1) * partSize, size)
        if (written !== size) throw new RangeError(`part ${partNumber} ended after ${written} of ${size} bytes`)
        if (durable) await handle.datasync()
        return partEtag(partNumber, size)
      } finally {
        await handle.close()
      }
    },

    async completeMultipart(key, ref, parts) {
      pathOf(key)
      const { partSize } = parseRef(ref)
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber)
      let total = 0
      sorted.forEach((part, i) => {
        if (part.partNumber !== i + 1) throw new Error(`parts must be 1…${sorted.length} without gaps; part ${i + 1} is missing`)
        const size = partSizeOf(part)
        if (i < sorted.length - 1 && size !== partSize) throw new Error(`part ${part.partNumber} is ${size} bytes; all but the last must be ${partSize}`)
        total += size
      })
      const data = join(stagingOf(ref), 'data')
      let handle: FileHandle
      try {
        handle = await open(data, 'r+')
      } catch (error) {
        if (isMissing(error)) throw new BlobNotFoundError(`multipart upload '${ref}'`)
        throw error
      }
      try {
        await handle.truncate(total)
        if (durable) await handle.sync()
      } finally {
        await handle.close()
      }
      const placed = await place(data, key)
      await rm(stagingOf(ref), { recursive: true, force: true })
      return placed
    },

    async abortMultipart(key, ref) {
      pathOf(key)
      try {
        await rm(stagingOf(ref), { recursive: true, force: true })
      } catch (error) {
        if (!(error instanceof BlobNotFoundError)) throw error
      }
    },

    presignGet: async () => undefined,
    presignPart: async () => undefined,

    async sweep(olderThan) {
      let removed = 0
      for (const dir of [TMP, MULTIPART]) {
        for (const name of await readdir(join(root, dir))) {
          const path = join(root, dir, name)
          const stats = await stat(path).catch(() => undefined)
          if (stats && stats.mtimeMs < olderThan) {
            await rm(path, { recursive: true, force: true })
            removed++
          }
        }
      }
      return removed
    },

    close: async () => undefined,
  }
}
