/**
 * @module Stream plumbing for uploads: cutting a request body into exact-length pieces without
 * buffering it, metering a stream of unknown length, and joining streams. Memory stays at a chunk
 * or two of the network's size whatever the file's size.
 */
import { createHash, type Hash } from 'node:crypto'
import { Readable, Transform, type TransformCallback } from 'node:stream'

export class BodyEndedEarlyError extends Error {
  override readonly name = 'BodyEndedEarlyError'
}

export class BodyTooLongError extends Error {
  override readonly name = 'BodyTooLongError'
}

/**
 * A request body read in exact pieces: `take(n)` is a stream of the next n bytes. Pieces are read
 * one after the other; a piece that is not read to its end leaves the source where it stopped.
 */
export class ByteSource {
  private readonly iterator: AsyncIterator<Buffer>
  private rest: Buffer | undefined
  /** Set once a piece found the source ended before its last byte. */
  endedEarly = false

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]()
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.rest) {
      const rest = this.rest
      this.rest = undefined
      return rest
    }
    const result = await this.iterator.next()
    return result.done ? undefined : result.value
  }

  /** The next `n` bytes; `onData` sees each of them as they pass (for hashing). */
  take(n: number, onData?: (chunk: Buffer) => void): Readable {
    const read = async function* (this: ByteSource) {
      let left = n
      while (left > 0) {
        let chunk = await this.next()
        if (!chunk) {
          this.endedEarly = true
          throw new BodyEndedEarlyError(`the body ended ${left} bytes early`)
        }
        if (chunk.length > left) {
          this.rest = chunk.subarray(left)
          chunk = chunk.subarray(0, left)
        }
        left -= chunk.length
        onData?.(chunk)
        yield chunk
      }
    }
    return Readable.from(read.call(this), { objectMode: false })
  }

  /** True when the source has no byte left. */
  async atEnd(): Promise<boolean> {
    const chunk = await this.next()
    if (chunk && chunk.length > 0) {
      this.rest = chunk
      return false
    }
    return chunk === undefined || this.atEnd()
  }
}

/** One stream of `first` followed by `second` (a stored tail, then fresh bytes). */
export function concatStreams(first: Readable, second: Readable): Readable {
  return Readable.from(
    (async function* () {
      yield* first as AsyncIterable<Buffer>
      yield* second as AsyncIterable<Buffer>
    })(),
    { objectMode: false },
  )
}

/** Counts and hashes what passes; fails once more than `max` bytes went through (the stream is cut off there). */
export class Meter extends Transform {
  bytes = 0
  private readonly hash: Hash = createHash('sha256')

  constructor(private readonly max: number) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    if (this.bytes > this.max) return callback(new BodyTooLongError(`the body is longer than ${this.max} bytes`))
    this.hash.update(chunk)
    callback(null, chunk)
  }

  /** Hex SHA-256 of everything that passed; call once, at the end. */
  sha256(): string {
    return this.hash.digest('hex')
  }
}

/** Hex SHA-256 of a whole stream, read once. */
export async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk)
    bytes += chunk.length
  }
  return { sha256: hash.digest('hex'), bytes }
}
