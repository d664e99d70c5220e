/**
 * @module The blob store, measured: writes in progress, bytes in (written) and out (read), failed
 * writes. Wrapped at the port boundary in the composition root. Bytes served by presigned S3 URLs
 * never pass through the platform and are not counted here.
 */
import { Transform, type Readable } from 'node:stream'
import type { BlobStore } from '../ports/blobs.js'
import type { PlatformMetrics } from '../ports/metrics.js'
import { overlay } from './overlay.js'

export function instrumentBlobs(blobs: BlobStore, metrics: PlatformMetrics): BlobStore {
  if (!metrics.enabled) return blobs
  const writing = async <T>(operation: string, write: () => Promise<T>, bytes: (result: T) => number): Promise<T> => {
    metrics.uploadsInProgress.inc()
    try {
      const result = await write()
      metrics.blobBytes.inc({ direction: 'in' }, bytes(result))
      return result
    } catch (error) {
      metrics.uploadFailures.inc({ operation })
      throw error
    } finally {
      metrics.uploadsInProgress.dec()
    }
  }
  const counted = (source: Readable): Readable => {
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        metrics.blobBytes.inc({ direction: 'out' }, chunk.length)
        callback(null, chunk)
      },
    })
    // A failed source fails what the reader holds, as the plain stream would.
    source.on('error', (error) => counter.destroy(error))
    counter.on('close', () => source.destroy())
    return source.pipe(counter)
  }
  return overlay<BlobStore>(blobs, {
    put: (key: string, body: Readable, options?: { readonly size?: number }) => writing('put', () => blobs.put(key, body, options), (info) => info.size),
    putPart: (key: string, uploadRef: string, partNumber: number, body: Readable, size: number) =>
      writing('part', () => blobs.putPart(key, uploadRef, partNumber, body, size), () => size),
    get: async (...args: Parameters<BlobStore['get']>) => counted(await blobs.get(...args)),
  })
}
