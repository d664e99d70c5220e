/**
 * @module Downloads with resume and a checksum check. Bytes go to `<path>.part`; when that exists
 * from an interrupted run, the rest is asked for with `Range` and appended. Once whole, the SHA-256
 * of the file must match the server's, and only then is it renamed to its path.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, promises as fs } from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Chat4AllError } from './errors.js'
import type { HttpClient } from './http.js'
import { defaultRetry, withRetry } from './retry.js'
import { hexOf, meter, type ProgressListener } from './transfer.js'
import type { DownloadLink } from './types.js'

export interface DownloadOptions {
  /** Where to write; the file's name in the current directory by default. */
  readonly path?: string
  readonly onProgress?: ProgressListener
  readonly limitRate?: number
  readonly signal?: AbortSignal
}

export interface DownloadResult {
  readonly file_id: string
  readonly path: string
  readonly size_bytes: number
  readonly checksum: string | null
  readonly resumed_from: number
}

const sizeOf = async (path: string) => (await fs.stat(path).catch(() => undefined))?.size ?? 0

export class DownloadsApi {
  constructor(private readonly http: HttpClient) {}

  link(fileId: string): Promise<DownloadLink> {
    return this.http.request('GET', `/v1/files/${encodeURIComponent(fileId)}/download`)
  }

  async download(fileId: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const link = await this.link(fileId)
    const path = options.path ?? link.filename
    const part = `${path}.part`
    let have = await sizeOf(part)
    if (have > link.size_bytes) {
      await fs.rm(part)
      have = 0
    }
    const resumedFrom = have
    await withRetry(
      async () => {
        have = await sizeOf(part)
        if (have < link.size_bytes || link.size_bytes === 0) await this.fetchRest(link, part, have, resumedFrom, options)
      },
      { ...defaultRetry, signal: options.signal },
    )
    const hash = createHash('sha256')
    await pipeline(createReadStream(part), new Writable({ write: (chunk: Buffer, _e, done) => (hash.update(chunk), done()) }))
    const actual = hash.digest('hex')
    if (link.checksum && hexOf(link.checksum) !== actual) {
      await fs.rm(part, { force: true })
      throw Chat4AllError.client('checksum_mismatch', `The downloaded bytes' SHA-256 (${actual}) is not the file's (${link.checksum}); the partial file was removed, run the download again`)
    }
    await fs.rename(part, path)
    return { file_id: link.file_id, path, size_bytes: link.size_bytes, checksum: link.checksum, resumed_from: resumedFrom }
  }

  private async fetchRest(link: DownloadLink, part: string, have: number, resumedFrom: number, options: DownloadOptions): Promise<void> {
    let response: Response
    try {
      response = await fetch(link.download_url, {
        headers: have > 0 ? { range: `bytes=${have}-` } : {},
        ...(options.signal ? { signal: options.signal } : {}),
      })
    } catch (error) {
      throw Chat4AllError.client('network_error', `Cannot reach the download URL (${(error as Error).message})`, error)
    }
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => null)
      throw Chat4AllError.fromResponse(response.status, body)
    }
    // 200 to a Range: the server sends it all again; start the file over.
    const append = response.status === 206
    let done = append ? have : 0
    options.onProgress?.({ phase: 'transferring', bytes: done, total: link.size_bytes, resumedFrom })
    const count = meter((n) => {
      done += n
      options.onProgress?.({ phase: 'transferring', bytes: done, total: link.size_bytes, resumedFrom })
    }, options.limitRate)
    try {
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), count, createWriteStream(part, { flags: append ? 'a' : 'w' }))
    } catch (error) {
      if (options.signal?.aborted) throw Chat4AllError.client('aborted', 'Download cancelled', error)
      throw Chat4AllError.client('network_error', `The download was cut off (${(error as Error).message})`, error)
    }
  }
}
