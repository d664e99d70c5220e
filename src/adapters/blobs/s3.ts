/**
 * @module S3-compatible object storage (AWS S3, MinIO, Ceph, Garage): the scaled-out shape.
 * Bodies stream straight through; the one exception is a put of unknown length, which S3 cannot
 * take as a stream, so it goes up as a multipart upload one buffered part at a time (memory stays
 * at two parts whatever the size). Downloads and direct part uploads use presigned URLs.
 */
import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import {
  assertBlobKey,
  assertPartNumber,
  BlobNotFoundError,
  type BlobInfo,
  type BlobStore,
  type MultipartPart,
} from '../../ports/blobs.js'

export interface S3BlobStoreOptions {
  readonly bucket: string
  /** Keys are stored under this prefix (no leading or trailing slash). */
  readonly prefix?: string
  /** For MinIO and friends; AWS when absent. */
  readonly endpoint?: string
  readonly region: string
  readonly forcePathStyle?: boolean
  /** Static credentials; the SDK's default chain (environment, profile, instance role) otherwise. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string }
  /** Part size for puts of unknown length (default 8 MiB; S3 needs at least 5 MiB). */
  readonly bufferPartSize?: number
  /** Told about best-effort cleanup that failed (an abort the server refused). */
  readonly onWarning?: (message: string) => void
}

const notFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404
}

/** Reads up to `size` bytes from the iterator into one buffer; shorter only at the end of the stream. */
async function readPart(iterator: AsyncIterator<Buffer>, carry: { rest?: Buffer }, size: number): Promise<Buffer> {
  const pieces: Buffer[] = []
  let length = 0
  while (length < size) {
    let chunk = carry.rest
    carry.rest = undefined
    if (!chunk) {
      const next = await iterator.next()
      if (next.done) break
      chunk = next.value
    }
    if (length + chunk.length > size) {
      carry.rest = chunk.subarray(size - length)
      chunk = chunk.subarray(0, size - length)
    }
    pieces.push(chunk)
    length += chunk.length
  }
  return Buffer.concat(pieces, length)
}

/** The body, failing (so the request aborts) when it turns out shorter or longer than declared. */
function exactly(body: Readable, size: number): Readable {
  async function* check() {
    let seen = 0
    for await (const chunk of body as AsyncIterable<Buffer>) {
      seen += chunk.length
      if (seen > size) throw new RangeError(`the body is longer than the ${size} bytes declared`)
      yield chunk
    }
    if (seen !== size) throw new RangeError(`the body ended after ${seen} of ${size} bytes`)
  }
  return Readable.from(check(), { objectMode: false })
}

export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // The SDK's default checksums send streamed bodies `aws-chunked` with a trailer, which not every
    // S3-compatible server understands (some store the framing inside the object). We compute our
    // own SHA-256 of every file, so plain bodies are both safer and faster.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const Bucket = options.bucket
  const bufferPartSize = options.bufferPartSize ?? 8 * 1024 * 1024
  const keyOf = (key: string) => (options.prefix ? `${options.prefix}/${assertBlobKey(key)}` : assertBlobKey(key))

  /** Sends a command whose request body is `body`; a body that fails aborts the request instead of leaving it hanging. */
  async function sendWithBody<T>(body: Readable, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController()
    let bodyError: unknown
    const onError = (error: unknown) => {
      bodyError = error
      abort.abort()
    }
    body.once('error', onError)
    try {
      return await send(abort.signal)
    } catch (error) {
      throw bodyError ?? error
    } finally {
      body.off('error', onError)
    }
  }

  async function stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket, Key: keyOf(key) }))
      return { size: head.ContentLength ?? 0, etag: head.ETag ?? '' }
    } catch (error) {
      if (notFound(error)) return undefined
      throw error
    }
  }

  async function putKnown(key: string, body: Readable | Buffer, size: number): Promise<void> {
    if (Buffer.isBuffer(body)) {
      await client.send(new PutObjectCommand({ Bucket, Key: keyOf(key), Body: body, ContentLength: size }))
      return
    }
    const checked = exactly(body, size)
    const input = { Bucket, Key: keyOf(key), Body: checked, ContentLength: size }
    await sendWithBody(checked, (abortSignal) => client.send(new PutObjectCommand(input), { abortSignal }))
  }

  /** Unknown length: one part in memory while the previous one uploads. */
  async function putStreamed(key: string, body: Readable): Promise<void> {
    const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
    const carry: { rest?: Buffer } = {}
    const first = await readPart(iterator, carry, bufferPartSize)
    const second = first.length < bufferPartSize ? Buffer.alloc(0) : await readPart(iterator, carry, bufferPartSize)
    if (second.length === 0) return putKnown(key, first, first.length)
    const ref = await store.createMultipart(key, { partSize: bufferPartSize })
    try {
      const parts: MultipartPart[] = []
      let current = second
      let inFlight = store.putPart(key, ref, 1, Readable.from([first]), first.length).then((etag) => void parts.push({ partNumber: 1, etag }))
      for (let partNumber = 2; current.length > 0; partNumber++) {
        const next = current.length < bufferPartSize ? Promise.resolve(Buffer.alloc(0)) : readPart(iterator, carry, bufferPartSize)
        next.catch(() => undefined) // awaited below; a failing upload must not leave it unhandled
        await inFlight
        const data = current
        inFlight = store.putPart(key, ref, partNumber, Readable.from([data]), data.length).then((etag) => void parts.push({ partNumber, etag }))
        current = await next
      }
      await inFlight
      await store.completeMultipart(key, ref, parts)
    } catch (error) {
      await store.abortMultipart(key, ref)
      throw error
    }
  }

  const store: BlobStore = {
    kind: 's3',

    async put(key, body, putOptions = {}) {
      if (putOptions.size !== undefined) await putKnown(key, body, putOptions.size)
      else await putStreamed(key, body)
      const info = await stat(key)
      if (!info) throw new Error(`'${key}' is missing right after it was stored`)
      return info
    },

    async get(key, range) {
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket, Key: keyOf(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        )
        return object.Body as Readable
      } catch (error) {
        if (notFound(error)) throw new BlobNotFoundError(key)
        throw error
      }
    },

    stat,

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(key) }))
    },

    async createMultipart(key) {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: keyOf(key) }))
      if (!created.UploadId) throw new Error('CreateMultipartUpload returned no UploadId')
      return created.UploadId
    },

    async putPart(key, uploadRef, partNumber, body, size) {
      assertPartNumber(partNumber)
      const checked = exactly(body, size)
      const input = { Bucket, Key: keyOf(key), UploadId: uploadRef, PartNumber: partNumber, Body: checked, ContentLength: size }
      const part = await sendWithBody(checked, (abortSignal) => client.send(new UploadPartCommand(input), { abortSignal }))
      if (!part.ETag) throw new Error(`UploadPart ${partNumber} returned no ETag`)
      return part.ETag
    },

    async completeMultipart(key, uploadRef, parts) {
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber)
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: keyOf(key),
          UploadId: uploadRef,
          MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      )
      const info = await stat(key)
      if (!info) throw new Error(`'${key}' is missing right after its multipart upload completed`)
      return info
    },

    async abortMultipart(key, uploadRef) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket, Key: keyOf(key), UploadId: uploadRef }))
      } catch (error) {
        const name = (error as { name?: string }).name
        if (name === 'NoSuchUpload') return
        // Best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload) collects what is left.
        options.onWarning?.(`could not abort multipart upload ${uploadRef} of '${key}': ${String(error)}`)
      }
    },

    async presignGet(key, { expiresInSeconds, contentType, contentDisposition }) {
      const command = new GetObjectCommand({
        Bucket,
        Key: keyOf(key),
        ResponseContentType: contentType,
        ResponseContentDisposition: contentDisposition,
      })
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds })
    },

    async presignPart(key, uploadRef, { partNumber, contentLength }, expiresInSeconds) {
      assertPartNumber(partNumber)
      const command = new UploadPartCommand({
        Bucket,
        Key: keyOf(key),
        UploadId: uploadRef,
        PartNumber: partNumber,
        ContentLength: contentLength,
      })
      return getSignedUrl(client, command, { expiresIn: Math.min(expiresInSeconds, 7 * 24 * 3600) })
    },

    // Abandoned multipart uploads are the bucket's lifecycle rule's job (AbortIncompleteMultipartUpload);
    // there are no temporary objects of ours to find here.
    sweep: async () => 0,

    close: async () => client.destroy(),
  }
  return store
}
