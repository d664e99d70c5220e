/** @module What uploads and downloads share: progress reports, an optional rate limit, file hashing. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'

export interface Progress {
  readonly phase: 'hashing' | 'transferring'
  /** Bytes done, counting what an earlier attempt or run already moved. */
  readonly bytes: number
  readonly total: number
  /** Bytes that were already there when this run started (resumed from). */
  readonly resumedFrom: number
}

export type ProgressListener = (progress: Progress) => void

/**
 * Counts the bytes going through and, with `bytesPerSecond`, holds them back to that rate (a
 * transfer that must leave bandwidth for others, like curl's --limit-rate).
 */
export function meter(onBytes: (n: number) => void, bytesPerSecond?: number): Transform {
  const started = Date.now()
  let sent = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const pieces: Buffer[] = []
      // Small pieces keep a limited rate smooth instead of one burst per 64 KiB read.
      const step = bytesPerSecond ? Math.max(1024, Math.floor(bytesPerSecond / 20)) : chunk.length
      for (let at = 0; at < chunk.length; at += step) pieces.push(chunk.subarray(at, at + step))
      const pushNext = () => {
        const piece = pieces.shift()
        if (!piece) return callback()
        sent += piece.length
        this.push(piece)
        onBytes(piece.length)
        const due = bytesPerSecond ? started + (sent / bytesPerSecond) * 1000 - Date.now() : 0
        if (due > 0) setTimeout(pushNext, due)
        else pushNext()
      }
      pushNext()
    },
  })
}

/** The SHA-256 of a file's bytes `[0, end)` as hex, streamed. */
export async function sha256File(path: string, end?: number, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256')
  if (end === 0) return hash.digest('hex')
  for await (const chunk of createReadStream(path, end === undefined ? {} : { end: end - 1 })) {
    hash.update(chunk as Buffer)
    onBytes?.((chunk as Buffer).length)
  }
  return hash.digest('hex')
}

/** `sha256:<hex>` → `<hex>`. */
export const hexOf = (checksum: string | null): string | undefined => checksum?.replace(/^sha256:/, '').toLowerCase()
