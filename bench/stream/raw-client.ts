/**
 * @module A minimal WebSocket reader for the fan-out measurement: the RFC 6455 handshake over a raw
 * TCP socket, then frame headers parsed by hand and message frames counted. A full client parses and
 * re-buffers every frame; with 1,000 of them in the load generator's single thread that, not the
 * server, would be what is measured. Server frames are unmasked and, here, never fragmented; pings
 * are answered, or the server's heartbeat would drop the reader.
 */
import { randomBytes } from 'node:crypto'
import { connect as tcp, type Socket } from 'node:net'

const MESSAGE = Buffer.from('"message.created"')
const READY = Buffer.from('"ready"')

const PING = 0x9
const PONG = 0xa

/** A client frame must be masked (RFC 6455 §5.3); control payloads are at most 125 bytes. */
function pong(payload: Buffer): Buffer {
  const mask = randomBytes(4)
  const masked = Buffer.from(payload)
  for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ mask[i % 4]!
  return Buffer.concat([Buffer.from([0x80 | PONG, 0x80 | masked.length]), mask, masked])
}

export interface RawClient {
  readonly socket: Socket
  messages: number
  /** Set when the connection ended (the server dropped it, or it was destroyed). */
  closed: boolean
}

/**
 * `localAddress` picks the loopback source address (127.0.0.2, …): each one has its own ~28,000
 * ephemeral ports towards the server's port, so more connections than that need several.
 */
export function connectRaw(baseUrl: string, token: string, localAddress?: string): Promise<RawClient> {
  const { hostname, port } = new URL(baseUrl)
  const socket = tcp({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) })
  const client: RawClient = { socket, messages: 0, closed: false }
  let settle: ((error: Error) => void) | undefined
  socket.once('close', () => {
    client.closed = true
    // Closed before `ready` (a refused token, the server gone): fail instead of waiting forever.
    settle?.(new Error('connection closed before ready'))
  })
  return new Promise((resolve, reject) => {
    settle = reject
    let buffer: Buffer = Buffer.alloc(0)
    let upgraded = false
    socket.once('error', reject)
    socket.on('connect', () => {
      socket.write(
        `GET /v1/stream HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          `Authorization: Bearer ${token}\r\n\r\n`,
      )
    })
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        if (!buffer.subarray(0, 12).toString().includes('101')) return reject(new Error(buffer.toString().slice(0, 200)))
        upgraded = true
        buffer = buffer.subarray(end + 4)
      }
      let offset = 0
      while (buffer.length - offset >= 2) {
        let length = buffer[offset + 1]! & 0x7f
        let header = 2
        if (length === 126) {
          if (buffer.length - offset < 4) break
          length = buffer.readUInt16BE(offset + 2)
          header = 4
        } else if (length === 127) {
          if (buffer.length - offset < 10) break
          length = Number(buffer.readBigUInt64BE(offset + 2))
          header = 10
        }
        if (buffer.length - offset < header + length) break
        const payload = buffer.subarray(offset + header, offset + header + length)
        const head = payload.subarray(0, 40)
        if ((buffer[offset]! & 0x0f) === PING) socket.write(pong(payload))
        else if (head.includes(MESSAGE)) client.messages++
        else if (head.includes(READY)) resolve(client)
        offset += header + length
      }
      buffer = buffer.subarray(offset)
    })
  })
}

/** Connects every token, `parallel` handshakes at a time; `sourceAddress(i)` picks connection i's source address. */
export async function connectAllRaw(
  baseUrl: string,
  tokens: readonly string[],
  parallel = 200,
  sourceAddress?: (index: number) => string | undefined,
): Promise<RawClient[]> {
  const clients: RawClient[] = new Array(tokens.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(parallel, tokens.length) }, async () => {
      while (next < tokens.length) {
        const i = next++
        clients[i] = await connectRaw(baseUrl, tokens[i]!, sourceAddress?.(i))
      }
    }),
  )
  return clients
}
