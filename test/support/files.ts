/**
 * Helpers for the file tests: deterministic test data of any size without holding it in memory,
 * uploads through real clients (tus-js-client, fetch with multipart/form-data, chunked PUTs), and
 * downloads that hash what they receive.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as tus from 'tus-js-client'
import type { ApiClient } from './client.js'

export const MiB = 1024 * 1024

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

/** `size` pseudo-random bytes from `seed`: AES-CTR over zeros, streamed a MiB at a time. */
export function testData(size: number, seed = 'chat4all'): Readable {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16)
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  const zeros = Buffer.alloc(MiB)
  return Readable.from(
    (function* () {
      for (let left = size; left > 0; left -= MiB) yield cipher.update(zeros.subarray(0, Math.min(MiB, left)))
    })(),
    { objectMode: false },
  )
}

/** Writes test data to `path` and returns its SHA-256. */
export async function writeTestFile(path: string, size: number, seed?: string): Promise<string> {
  const hash = createHash('sha256')
  const source = testData(size, seed)
  source.on('data', (chunk: Buffer) => hash.update(chunk))
  await pipeline(source, createWriteStream(path))
  return hash.digest('hex')
}

export const randomData = (size: number) => randomBytes(size)

export interface TusResult {
  readonly url: string
  readonly fileId: string
}

export type TusInput = Buffer | ReadStream

/** A tus-js-client upload that resolves when it succeeds, rejects on its first error. */
export function tusUpload(
  endpoint: string,
  token: string,
  input: TusInput,
  options: Partial<ConstructorParameters<typeof tus.Upload>[1]> = {},
): { upload: tus.Upload; done: Promise<TusResult> } {
  let upload!: tus.Upload
  const done = new Promise<TusResult>((resolve, reject) => {
    upload = new tus.Upload(input as Buffer, {
      endpoint: `${endpoint}/v1/uploads`,
      headers: { authorization: `Bearer ${token}` },
      retryDelays: null,
      ...options,
      onSuccess: () => {
        const url = upload.url!
        resolve({ url, fileId: url.split('/').pop()! })
      },
      onError: reject,
    })
  })
  upload.start()
  return { upload, done }
}

/** POST /v1/files with a multipart/form-data body (fetch builds it from a Blob). */
export async function simpleUpload(
  client: ApiClient,
  data: Buffer,
  filename: string,
  type = 'application/octet-stream',
  fields: Record<string, string> = {},
  query = '',
) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  form.append('file', new Blob([data], { type }), filename)
  const response = await fetch(`${client.baseUrl}/v1/files${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}` },
    body: form,
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as any }
}

/** PUT one chunk of a chunked upload. */
export async function putChunk(client: ApiClient, uploadId: string, index: number, data: Buffer | Readable, headers: Record<string, string> = {}) {
  const response = await fetch(`${client.baseUrl}/v1/files/uploads/${uploadId}/chunks/${index}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/octet-stream', ...headers },
    body: Buffer.isBuffer(data) ? data : (Readable.toWeb(data) as ReadableStream),
    ...(Buffer.isBuffer(data) ? {} : { duplex: 'half' }),
  } as RequestInit)
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any }
}

/**
 * GETs a URL and hashes the body as it streams. node:http with `Connection: close`, so a large
 * download leaves no keep-alive connection behind that a stopping server would wait for.
 */
export function fetchHashed(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Headers; bytes: number; sha256: string }>((resolve, reject) => {
    const request = httpRequest(url, { headers: { connection: 'close', ...headers } }, (response) => {
      const hash = createHash('sha256')
      let bytes = 0
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk)
        bytes += chunk.length
      })
      response.on('end', () => {
        const replyHeaders = new Headers()
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') replyHeaders.set(name, value)
        }
        resolve({ status: response.statusCode ?? 0, headers: replyHeaders, bytes, sha256: hash.digest('hex') })
      })
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

export const fileStream = (path: string) => createReadStream(path)

/**
 * Sends a streamed body with node:http (fetch's web-stream bodies are slow for GiBs and keep their
 * connection busy); resolves with the status and the parsed JSON answer.
 */
export function streamRequest(url: string, method: string, headers: Record<string, string>, body: Readable) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { connection: 'close', ...headers } }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null })
      })
      response.on('error', reject)
    })
    request.on('error', reject)
    pipeline(body, request).catch(reject)
  })
}
