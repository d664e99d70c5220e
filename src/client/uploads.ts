/**
 * @module Resumable uploads over tus 1.0 (docs/files.md). The upload URL is kept in an
 * UploadUrlStore keyed by the file's path, size and modification time, so an upload interrupted
 * — cancelled, network lost, process killed — continues from the server's offset when started
 * again with the same file. The SHA-256 is declared at creation, so the server refuses bytes that
 * differ, and compared with the ready file's checksum at the end.
 */
import { createReadStream, promises as fs } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { basename, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Chat4AllError } from './errors.js'
import type { HttpClient } from './http.js'
import { defaultRetry, withRetry } from './retry.js'
import type { TokenSession } from './session.js'
import { hexOf, meter, sha256File, type ProgressListener } from './transfer.js'
import type { FileInfo } from './types.js'

/** Where upload URLs are remembered between runs. */
export interface UploadUrlStore {
  get(key: string): Promise<string | undefined>
  set(key: string, url: string): Promise<void>
  delete(key: string): Promise<void>
}

export function memoryUploadUrlStore(): UploadUrlStore {
  const urls = new Map<string, string>()
  return {
    get: async (key) => urls.get(key),
    set: async (key, url) => void urls.set(key, url),
    delete: async (key) => void urls.delete(key),
  }
}

export interface UploadOptions {
  readonly conversationId?: string
  readonly contentType?: string
  readonly onProgress?: ProgressListener
  /** Bytes per second at most. */
  readonly limitRate?: number
  readonly signal?: AbortSignal
}

export interface UploadResult extends FileInfo {
  /** The offset this run continued from (0 for a fresh upload). */
  readonly resumed_from: number
  readonly sha256: string
}

const TUS = { 'tus-resumable': '1.0.0' }

const metadataHeader = (entries: Record<string, string | undefined>) =>
  Object.entries(entries)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',')

export class UploadsApi {
  constructor(
    private readonly http: HttpClient,
    private readonly session: TokenSession,
    private readonly urls: UploadUrlStore,
  ) {}

  async upload(path: string, options: UploadOptions = {}): Promise<UploadResult> {
    const absolute = resolve(path)
    const stat = await fs.stat(absolute).catch((error: unknown) => {
      throw Chat4AllError.client('local_file', `Cannot read ${path}: ${(error as Error).message}`, error, 'path')
    })
    if (!stat.isFile()) throw Chat4AllError.client('local_file', `${path} is not a file`, undefined, 'path')
    const size = stat.size
    const key = `${absolute}\n${size}\n${Math.round(stat.mtimeMs)}`
    const sha256 = await sha256File(absolute, undefined, progressOf(options, 'hashing', size))
    let url = await this.urls.get(key)
    let offset = url ? await this.offsetOf(url) : undefined
    if (offset === undefined) {
      url = await this.create(absolute, size, sha256, options)
      await this.urls.set(key, url)
      offset = 0
    }
    const resumedFrom = offset
    let done = offset
    const report = (n: number) => {
      done += n
      options.onProgress?.({ phase: 'transferring', bytes: done, total: size, resumedFrom })
    }
    options.onProgress?.({ phase: 'transferring', bytes: offset, total: size, resumedFrom })
    await withRetry(
      async (attempt) => {
        if (attempt > 1) done = offset = (await this.offsetOf(url!)) ?? 0
        if (offset! < size) offset = await this.patch(url!, absolute, offset!, size, report, options)
      },
      { ...defaultRetry, attempts: 10, signal: options.signal, isRetryable: (e) => e instanceof Chat4AllError && (e.isRetryable || e.status === 409) },
    )
    await this.urls.delete(key)
    const fileId = new URL(url!).pathname.split('/').pop()!
    const file = await this.http.request<FileInfo>('GET', `/v1/files/${fileId}`)
    if (hexOf(file.checksum) !== sha256) {
      throw Chat4AllError.client('checksum_mismatch', `The server's SHA-256 of ${basename(path)} (${file.checksum}) differs from the file's (${sha256})`)
    }
    return { ...file, resumed_from: resumedFrom, sha256 }
  }

  private async create(path: string, size: number, sha256: string, options: UploadOptions): Promise<string> {
    const reply = await this.http.raw('POST', '/v1/uploads', {
      headers: {
        ...TUS,
        'upload-length': String(size),
        'upload-metadata': metadataHeader({
          filename: basename(path),
          filetype: options.contentType,
          sha256,
          conversation_id: options.conversationId,
        }),
      },
    })
    const location = reply.headers.get('location')
    if (!location) throw Chat4AllError.client('bad_response', 'The server created the upload without a Location')
    return new URL(location, `${this.http.baseUrl}/`).toString()
  }

  /** The server's offset, or undefined when the upload is gone (expired, deleted, another server). */
  private async offsetOf(url: string): Promise<number | undefined> {
    try {
      const reply = await this.http.raw('HEAD', url, { headers: TUS })
      const offset = Number(reply.headers.get('upload-offset'))
      return Number.isInteger(offset) ? offset : undefined
    } catch (error) {
      if (error instanceof Chat4AllError && [403, 404, 410].includes(error.status)) return undefined
      throw error
    }
  }

  /** One PATCH of everything from `offset`, streamed; answers the new offset. */
  private async patch(url: string, path: string, offset: number, size: number, onBytes: (n: number) => void, options: UploadOptions): Promise<number> {
    const token = await this.session.accessToken()
    const target = new URL(url)
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest
    const request = send(target, {
      method: 'PATCH',
      headers: {
        ...TUS,
        authorization: `Bearer ${token}`,
        'content-type': 'application/offset+octet-stream',
        'content-length': String(size - offset),
        'upload-offset': String(offset),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    })
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      request.on('response', resolve)
      request.on('error', reject)
    })
    answered.catch(() => undefined)
    try {
      await pipeline(createReadStream(path, { start: offset }), meter(onBytes, options.limitRate), request)
      const response = await answered
      const text = await new Promise<string>((resolve) => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk.toString()))
        response.on('end', () => resolve(body))
      })
      if (response.statusCode === 401) await this.session.refreshFrom(token)
      if ((response.statusCode ?? 500) >= 300) {
        const retry = response.statusCode === 401 ? 503 : response.statusCode!
        throw Chat4AllError.fromResponse(retry, text ? (JSON.parse(text) as unknown) : null)
      }
      return Number(response.headers['upload-offset'])
    } catch (error) {
      if (error instanceof Chat4AllError) throw error
      if (options.signal?.aborted) throw Chat4AllError.client('aborted', 'Upload cancelled', error)
      throw Chat4AllError.client('network_error', `The upload was cut off (${(error as Error).message})`, error)
    }
  }
}

function progressOf(options: UploadOptions, phase: 'hashing', total: number): (n: number) => void {
  let bytes = 0
  return (n) => {
    bytes += n
    options.onProgress?.({ phase, bytes, total, resumedFrom: 0 })
  }
}
