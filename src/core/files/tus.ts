/**
 * @module tus PATCH semantics over the upload model: bytes arrive in order at the upload's offset.
 * Whole chunks become parts as they stream; the rest waits in a tail object. Without a checksum the
 * offset is committed after every chunk, so an interrupted PATCH keeps all it delivered up to the
 * last chunk boundary (or its tail); with one (tus checksum extension) the PATCH is all or nothing.
 */
import { createHash, timingSafeEqual, type Hash } from 'node:crypto'
import { finished } from 'node:stream/promises'
import { errors } from '../errors.js'
import type { FileRecord, UploadPart } from '../model.js'
import type { FilesContext } from './context.js'
import { fileErrors } from './errors.js'
import { finalizeUpload } from './finalize.js'
import { planSegments } from './segments.js'
import { ByteSource, concatStreams } from './streams.js'
import { inProgress, loadUpload, tailKeyOf } from './uploads.js'

/** What `Tus-Checksum-Algorithm` announces. */
export const checksumAlgorithms = ['sha1', 'md5', 'sha256', 'sha512'] as const

export interface AppendInput {
  /** Where the client believes the upload stands (`Upload-Offset`). */
  readonly offset: number
  /** Exactly how many bytes the body holds (`Content-Length`). */
  readonly length: number
  readonly body: AsyncIterable<Buffer>
  readonly checksum?: { readonly algorithm: (typeof checksumAlgorithms)[number]; readonly digest: Buffer }
}

export async function appendToUpload(fx: FilesContext, callerId: string, id: string, input: AppendInput): Promise<FileRecord> {
  const release = fx.locks.tryLock(id)
  if (!release) throw fileErrors.locked(id)
  try {
    return await append(fx, await loadUpload(fx, callerId, id), input)
  } finally {
    release()
  }
}

async function append(fx: FilesContext, record: FileRecord, input: AppendInput): Promise<FileRecord> {
  if (record.state === 'ready') {
    // A client resuming a finished upload learns it is done.
    if (input.offset !== record.sizeBytes || input.length > 0) throw fileErrors.offsetMismatch(record.sizeBytes, input.offset)
    return record
  }
  const upload = inProgress(record, 'tus')
  if (input.offset !== upload.offset) throw fileErrors.offsetMismatch(upload.offset, input.offset)
  if (input.offset + input.length > record.sizeBytes) {
    throw errors.payloadTooLarge('Content-Length', `${input.length} bytes at offset ${input.offset} run past Upload-Length ${record.sizeBytes}`)
  }
  const { id, storageKey } = record
  const segments = planSegments({ offset: input.offset, length: input.length, sizeBytes: record.sizeBytes, chunkSize: upload.chunkSize })
  const source = new ByteSource(input.body)
  const running = fx.hashes.continueAt(id, input.offset)
  const check = input.checksum ? createHash(input.checksum.algorithm) : undefined
  let committed = { offset: upload.offset, tailKey: upload.tailKey }
  let position = upload.offset
  let tailKey = upload.tailKey
  let pending: UploadPart[] = []
  const newTails: string[] = []

  const commit = async (toOffset: number, toTail: string | null, hash: Hash | undefined) => {
    const moved = await fx.store.advanceUpload(id, { fromOffset: committed.offset, toOffset, tailKey: toTail, parts: pending })
    if (!moved) throw fileErrors.offsetMismatch(committed.offset, input.offset)
    const previousTail = committed.tailKey
    committed = { offset: toOffset, tailKey: toTail }
    pending = []
    if (hash) fx.hashes.commit(id, toOffset, hash)
    if (previousTail && previousTail !== toTail) await fx.blobs.delete(previousTail).catch(() => undefined)
  }

  // A segment's bytes are taken from the request one after the other, but storing it may finish
  // later (a part's fsync, S3's answer): the next segment streams meanwhile, and offsets are
  // committed strictly in order behind them, at most two segments in flight.
  let committing: Promise<void> = Promise.resolve()
  const inFlight: Promise<void>[] = []
  try {
    for (const segment of segments) {
      if (inFlight.length >= 2) await inFlight.shift()
      const fresh = source.take(segment.take, (chunk) => {
        running?.update(chunk)
        check?.update(chunk)
      })
      const taken = finished(fresh)
      taken.catch(() => undefined) // the store's failure is the one reported
      const body = segment.fromTail > 0 ? concatStreams(await fx.blobs.get(tailKey!), fresh) : fresh
      const size = segment.fromTail + segment.take
      const end = position + segment.take
      let stored: Promise<UploadPart | null>
      if (segment.kind === 'part') {
        stored = fx.blobs
          .putPart(storageKey, upload.multipartRef!, segment.index + 1, body, size)
          .then((etag) => ({ index: segment.index, etag, sizeBytes: size }))
        tailKey = null
      } else {
        const key = tailKeyOf(id, end)
        newTails.push(key)
        stored = fx.blobs.put(key, body, { size }).then(() => null)
        tailKey = key
      }
      position = end
      await Promise.race([taken, stored])
      await taken
      const snapshot = running?.copy()
      const segmentTail = tailKey
      const step = committing.then(async () => {
        const part = await stored
        if (part) pending.push(part)
        if (!check) await commit(end, segmentTail, snapshot)
      })
      step.catch(() => undefined) // rethrown where it is awaited
      committing = step
      inFlight.push(step)
    }
    await committing
    if (check) {
      const digest = check.digest()
      if (digest.length !== input.checksum!.digest.length || !timingSafeEqual(digest, input.checksum!.digest)) {
        throw fileErrors.chunkChecksumMismatch()
      }
      await commit(position, tailKey, running?.copy())
    }
  } catch (error) {
    await committing.catch(() => undefined)
    // Tails this request wrote but never committed are nobody's; committed state is untouched.
    await Promise.allSettled(newTails.filter((key) => key !== committed.tailKey).map((key) => fx.blobs.delete(key)))
    throw error
  }

  const current: FileRecord = { ...record, upload: { ...upload, offset: position, tailKey } }
  if (position < record.sizeBytes) return current
  return finalizeUpload(fx, current, await fx.store.listUploadParts(id))
}
