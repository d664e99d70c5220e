/**
 * Helpers of the file benchmark: the server in its own process, its RSS from /proc, test data,
 * and plain node:http requests (no client library between the bytes and the socket).
 */
import { createCipheriv, createHash } from 'node:crypto'
import { createWriteStream, readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { startServer as startBenchServer } from '../server.js'

export const MiB = 1024 * 1024
export const root = new URL('../../', import.meta.url).pathname

export interface Server {
  url: string
  pid: number
  dataDir: string
  stop(): Promise<void>
}

/** The bench's own server starter (bench/server.ts), with the upload chunk size this bench needs. */
export async function startServer(chunkBytes: number, dataParent = tmpdir()): Promise<Server> {
  const server = await startBenchServer({ env: { CHAT4ALL_UPLOAD_CHUNK_BYTES: String(chunkBytes) }, dataParent })
  return {
    url: server.url,
    pid: server.pid,
    dataDir: server.dataDir,
    stop: async () => {
      await server.stop()
    },
  }
}

/** Resident set size of a process in bytes, from /proc. */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : 0
}

export function sampleRss(pid: number, everyMs = 20): { stop(): number } {
  let peak = rssOf(pid)
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, rssOf(pid))
    },
  }
}

export async function writeSource(path: string, size: number): Promise<string> {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16))
  const hash = createHash('sha256')
  const zeros = Buffer.alloc(MiB)
  const source = Readable.from(
    (function* () {
      for (let left = size; left > 0; left -= MiB) {
        const chunk = cipher.update(zeros.subarray(0, Math.min(MiB, left)))
        hash.update(chunk)
        yield chunk
      }
    })(),
  )
  await pipeline(source, createWriteStream(path))
  return hash.digest('hex')
}

export function send(url: string, method: string, headers: Record<string, string>, body?: Readable | Buffer): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        resolve({ status: res.statusCode ?? 0, json: text.startsWith('{') ? JSON.parse(text) : null })
      })
    })
    req.on('error', reject)
    if (body === undefined) req.end()
    else if (Buffer.isBuffer(body)) req.end(body)
    else pipeline(body, req).catch(reject)
  })
}

/** Downloads a URL, counting bytes without keeping them. */
export function download(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => (bytes += c.length))
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`download answered ${res.statusCode}`))))
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}
