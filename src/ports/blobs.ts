/**
 * @module The blob store port: the bytes of files, in objects named by keys the core chooses.
 * A local directory in the all-in-one shape, S3-compatible object storage when scaled out; both
 * pass `blobs.contract.ts`. Bodies are always streams: nothing here may hold a whole file in memory.
 */
import type { Readable } from 'node:stream'

export interface BlobInfo {
  readonly size: number
  /** Opaque; changes when the content changes. */
  readonly etag: string
}

/** Inclusive byte positions, as in HTTP Range. */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

export interface MultipartPart {
  /** 1 … 10,000, as in S3. */
  readonly partNumber: number
  /** What `putPart` returned for it. */
  readonly etag: string
}

export interface PresignGetOptions {
  readonly expiresInSeconds: number
  /** Served as the response's Content-Type and Content-Disposition. */
  readonly contentType: string
  readonly contentDisposition: string
}

export interface BlobStore {
  /** `file` serves bytes through the API; `s3` hands out presigned URLs. */
  readonly kind: 'file' | 's3'
  /**
   * Stores a whole object, replacing any before it. `size`, when given, is exact (a shorter or
   * longer body fails); otherwise the body is read to its end. Readers never see a partial object.
   */
  put(key: string, body: Readable, options?: { readonly size?: number }): Promise<BlobInfo>
  /** The object's bytes, or the inclusive range of them. Throws BlobNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>
  stat(key: string): Promise<BlobInfo | undefined>
  /** Idempotent. */
  delete(key: string): Promise<void>

  /**
   * Starts a multipart upload whose parts are all `partSize` bytes except the last, which may be
   * shorter. Returns the reference later calls name it by.
   */
  createMultipart(key: string, options: { readonly partSize: number }): Promise<string>
  /**
   * Stores one part of exactly `size` bytes (in any order, concurrently, again to replace it).
   * Returns its etag. Nothing of the object is visible until `completeMultipart`.
   */
  putPart(key: string, uploadRef: string, partNumber: number, body: Readable, size: number): Promise<string>
  /** Joins parts 1…n, in order, into the object. */
  completeMultipart(key: string, uploadRef: string, parts: readonly MultipartPart[]): Promise<BlobInfo>
  /** Drops a multipart upload and its parts. Idempotent. */
  abortMultipart(key: string, uploadRef: string): Promise<void>

  /** A URL anyone may GET the object with until it expires; undefined when the API must serve the bytes. */
  presignGet(key: string, options: PresignGetOptions): Promise<string | undefined>
  /**
   * A URL a client may PUT one part to directly; undefined when parts must go through the API. The
   * part's exact length is signed into the URL, so a client cannot store more than it declared.
   */
  presignPart(
    key: string,
    uploadRef: string,
    part: { readonly partNumber: number; readonly contentLength: number },
    expiresInSeconds: number,
  ): Promise<string | undefined>

  /** Removes leftovers (unfinished writes, abandoned multipart uploads) older than `olderThan` (epoch ms). */
  sweep(olderThan: number): Promise<number>
  close(): Promise<void>
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError'
  constructor(readonly key: string) {
    super(`no blob at '${key}'`)
  }
}

export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError'
}

export const MAX_PARTS = 10_000

// Segments start with a letter or digit, so '..', '.' and hidden names can never form a key:
// whatever reaches an adapter stays inside its root (directory or bucket prefix).
const keyPattern = /^[A-Za-z0-9][A-Za-z0-9_.=-]{0,199}(\/[A-Za-z0-9][A-Za-z0-9_.=-]{0,199}){0,7}$/

/** Every adapter checks each key with this before touching storage. */
export function assertBlobKey(key: string): string {
  if (!keyPattern.test(key)) throw new InvalidBlobKeyError(`invalid blob key '${key}'`)
  return key
}

export function assertPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
    throw new RangeError(`part number must be 1…${MAX_PARTS}, got ${partNumber}`)
  }
}
