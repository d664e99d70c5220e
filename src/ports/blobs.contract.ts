/**
 * @module The blob store contract: one suite every BlobStore adapter must pass, against the real
 * storage (a directory; a real S3-protocol server). An adapter's test calls `blobContract(name, make)`.
 * Bytes are always compared, never only status: a store that frames or truncates must fail here.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlobNotFoundError, type BlobStore } from './blobs.js'

export interface BlobHandle {
  readonly blobs: BlobStore
  /** Closes the store and removes whatever it created. */
  readonly cleanup: () => Promise<void>
}

export type BlobFactory = () => Promise<BlobHandle>

/** Known gaps of a test server, not of the adapter: each one names the server and what it lacks. */
export interface ServerGaps {
  /** s3rver keeps the bytes of a PUT aborted midway as the object; S3 and MinIO do not. */
  readonly keepsAbortedPuts?: boolean
}

const MiB = 1024 * 1024
/** S3's smallest part but the last. */
const PART = 5 * MiB

const key = (name = 'object') => `contract/${randomUUID()}/${name}`

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** The body as a stream of small chunks, the way a network delivers it. */
export function streamOf(data: Buffer, chunkSize = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunkSize) yield data.subarray(i, i + chunkSize)
    })(),
    { objectMode: false },
  )
}

/** A stream that delivers `data` and then fails, like a client whose connection drops. */
function failingAfter(data: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield data
      await new Promise((resolve) => setTimeout(resolve, 5))
      throw new Error('connection reset by peer')
    })(),
    { objectMode: false },
  )
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

export function blobContract(name: string, make: BlobFactory, gaps: ServerGaps = {}): void {
  describe(`BlobStore contract: ${name}`, () => {
    let handle: BlobHandle | undefined
    beforeAll(async () => {
      handle = await make()
    })
    afterAll(async () => {
      await handle?.cleanup()
    })
    const blobs = () => {
      if (!handle) throw new Error('the blob store is not open')
      return handle.blobs
    }

    it('stores and reads back whole objects of known and unknown length, byte for byte', async () => {
      const data = randomBytes(3 * MiB + 17)
      const known = key()
      expect(await blobs().put(known, streamOf(data), { size: data.length })).toMatchObject({ size: data.length })
      expect(sha256(await readAll(await blobs().get(known)))).toBe(sha256(data))
      // Longer than any buffered part, so stores that split unknown lengths must join them right.
      const large = randomBytes(12 * MiB + 5)
      const unknown = key()
      expect((await blobs().put(unknown, streamOf(large))).size).toBe(large.length)
      expect(sha256(await readAll(await blobs().get(unknown)))).toBe(sha256(large))
      expect((await blobs().stat(unknown))?.size).toBe(large.length)
    })

    it('stores empty objects', async () => {
      const a = key()
      const b = key()
      await blobs().put(a, streamOf(Buffer.alloc(0)), { size: 0 })
      await blobs().put(b, streamOf(Buffer.alloc(0)))
      expect((await readAll(await blobs().get(a))).length).toBe(0)
      expect((await blobs().stat(b))?.size).toBe(0)
    })

    it('replaces an object on a second put', async () => {
      const k = key()
      await blobs().put(k, streamOf(Buffer.from('first version')))
      await blobs().put(k, streamOf(Buffer.from('second')))
      expect((await readAll(await blobs().get(k))).toString()).toBe('second')
    })

    it('reads inclusive byte ranges', async () => {
      const data = randomBytes(256 * 1024)
      const k = key()
      await blobs().put(k, streamOf(data), { size: data.length })
      expect(await readAll(await blobs().get(k, { start: 0, end: 9 }))).toEqual(data.subarray(0, 10))
      expect(await readAll(await blobs().get(k, { start: 1000, end: 70_000 }))).toEqual(data.subarray(1000, 70_001))
      expect(await readAll(await blobs().get(k, { start: data.length - 10, end: data.length - 1 }))).toEqual(data.subarray(-10))
    })

    it('reports missing objects: get throws BlobNotFoundError, stat is undefined, delete is a no-op', async () => {
      const k = key()
      await expect(blobs().get(k)).rejects.toBeInstanceOf(BlobNotFoundError)
      expect(await blobs().stat(k)).toBeUndefined()
      await blobs().delete(k)
      await blobs().put(k, streamOf(Buffer.from('x')))
      await blobs().delete(k)
      await blobs().delete(k)
      expect(await blobs().stat(k)).toBeUndefined()
    })

    it('refuses a body that fails or does not match its declared size, and keeps no object', async () => {
      const failing = key()
      await expect(blobs().put(failing, failingAfter(randomBytes(100_000)), { size: 200_000 })).rejects.toThrow()
      await expect(blobs().put(failing, failingAfter(randomBytes(100_000)))).rejects.toThrow()
      if (!gaps.keepsAbortedPuts) expect(await blobs().stat(failing)).toBeUndefined()
      const long = key()
      await expect(blobs().put(long, streamOf(randomBytes(2000)), { size: 1000 })).rejects.toThrow()
      expect(await blobs().stat(long)).toBeUndefined()
    })

    it('never lets a key reach outside the store', async () => {
      const bad = ['../escape', '/etc/passwd', 'a/../../b', 'a//b', '', '.hidden', 'a/./b', 'a\\..\\b', 'x/..', 'nul\u0000byte']
      for (const k of bad) {
        await expect(blobs().put(k, streamOf(Buffer.from('x'))), k).rejects.toThrow(/invalid blob key/)
        await expect(blobs().get(k), k).rejects.toThrow(/invalid blob key/)
        await expect(blobs().stat(k), k).rejects.toThrow(/invalid blob key/)
        await expect(blobs().delete(k), k).rejects.toThrow(/invalid blob key/)
        await expect(blobs().createMultipart(k, { partSize: PART }), k).rejects.toThrow(/invalid blob key/)
      }
    })

    it('assembles multipart uploads from parts put in any order, concurrently, and replaced', async () => {
      const parts = [randomBytes(PART), randomBytes(PART), randomBytes(MiB + 3)]
      const k = key()
      const ref = await blobs().createMultipart(k, { partSize: PART })
      // A first, different version of part 2 is replaced by the second.
      await blobs().putPart(k, ref, 2, streamOf(randomBytes(PART)), PART)
      const etags = await Promise.all(
        [3, 1, 2].map(async (n) => ({ partNumber: n, etag: await blobs().putPart(k, ref, n, streamOf(parts[n - 1]!), parts[n - 1]!.length) })),
      )
      expect(await blobs().stat(k), 'nothing is visible before completion').toBeUndefined()
      const done = await blobs().completeMultipart(k, ref, etags)
      const whole = Buffer.concat(parts)
      expect(done.size).toBe(whole.length)
      expect(sha256(await readAll(await blobs().get(k)))).toBe(sha256(whole))
    })

    it('keeps a multipart upload usable after a part fails midway', async () => {
      const k = key()
      const ref = await blobs().createMultipart(k, { partSize: PART })
      await expect(blobs().putPart(k, ref, 1, failingAfter(randomBytes(MiB)), PART)).rejects.toThrow()
      await expect(blobs().putPart(k, ref, 1, streamOf(randomBytes(10)), 20)).rejects.toThrow()
      const data = randomBytes(MiB)
      const etag = await blobs().putPart(k, ref, 1, streamOf(data), data.length)
      await blobs().completeMultipart(k, ref, [{ partNumber: 1, etag }])
      expect(sha256(await readAll(await blobs().get(k)))).toBe(sha256(data))
    })

    it('aborts multipart uploads idempotently, leaving no object', async () => {
      const k = key()
      const ref = await blobs().createMultipart(k, { partSize: PART })
      await blobs().putPart(k, ref, 1, streamOf(randomBytes(1000)), 1000)
      await blobs().abortMultipart(k, ref)
      await blobs().abortMultipart(k, ref)
      expect(await blobs().stat(k)).toBeUndefined()
      expect(await blobs().sweep(Date.now() - 60_000)).toBeGreaterThanOrEqual(0)
    })

    it('hands out presigned URLs that work over plain HTTP, when it signs at all', async () => {
      const data = randomBytes(300_000)
      const k = key()
      await blobs().put(k, streamOf(data), { size: data.length })
      const url = await blobs().presignGet(k, {
        expiresInSeconds: 60,
        contentType: 'image/png',
        contentDisposition: 'attachment; filename="a.png"',
      })
      const partUrlProbe = await blobs().presignPart(k, 'probe', { partNumber: 1, contentLength: 1 }, 60)
      if (url === undefined) {
        expect(blobs().kind, 'only the file store lets the API serve bytes').toBe('file')
        expect(partUrlProbe).toBeUndefined()
        return
      }
      const whole = await fetch(url)
      expect(whole.status).toBe(200)
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(data)
      expect(whole.headers.get('content-type')).toBe('image/png')
      expect(whole.headers.get('content-disposition')).toBe('attachment; filename="a.png"')
      const partial = await fetch(url, { headers: { range: 'bytes=10-19' } })
      expect(partial.status).toBe(206)
      expect(Buffer.from(await partial.arrayBuffer())).toEqual(data.subarray(10, 20))

      // Parts can go straight to the storage; the etags they answer with complete the upload.
      const direct = key()
      const ref = await blobs().createMultipart(direct, { partSize: PART })
      const bodies = [randomBytes(PART), randomBytes(1234)]
      const parts = []
      for (const [i, body] of bodies.entries()) {
        const partUrl = await blobs().presignPart(direct, ref, { partNumber: i + 1, contentLength: body.length }, 60)
        const put = await fetch(partUrl!, { method: 'PUT', body })
        expect(put.status).toBe(200)
        parts.push({ partNumber: i + 1, etag: put.headers.get('etag')! })
      }
      await blobs().completeMultipart(direct, ref, parts)
      expect(sha256(await readAll(await blobs().get(direct)))).toBe(sha256(Buffer.concat(bodies)))
    })
  })
}
