/**
 * A client that sends commands but never reads their replies is a slow consumer too: the replies
 * must not pile up in the server without bound. Driven over a raw socket, so the test decides when
 * the client reads.
 */
import { randomBytes } from 'node:crypto'
import { connect as tcp } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

let server: TestPlatform
beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_STREAM_BUFFER_BYTES: '65536' })
})
afterAll(() => server.stop())

/** A masked client text frame (RFC 6455 §5.3), payload under 126 bytes. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = randomBytes(4)
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload])
}

/** The close code of the first close frame (opcode 8) in a stream of unfragmented server frames. */
function closeCodeIn(buffer: Buffer): number | undefined {
  let offset = 0
  while (buffer.length - offset >= 2) {
    const opcode = buffer[offset]! & 0x0f
    let length = buffer[offset + 1]! & 0x7f
    let header = 2
    if (length === 126) {
      if (buffer.length - offset < 4) return undefined
      length = buffer.readUInt16BE(offset + 2)
      header = 4
    } else if (length === 127) {
      if (buffer.length - offset < 10) return undefined
      length = Number(buffer.readBigUInt64BE(offset + 2))
      header = 10
    }
    if (buffer.length - offset < header + length) return undefined
    if (opcode === 0x8) return buffer.readUInt16BE(offset + header)
    offset += header + length
  }
  return undefined
}

describe('command flood', () => {
  it('closes a client that never reads its replies with 4008 instead of buffering them without bound', async () => {
    const user = await newUser(server.url)
    const { hostname, port } = new URL(server.url)
    const socket = tcp({ host: hostname, port: Number(port) })
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.write(
      `GET /v1/stream HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
        `Authorization: Bearer ${user.token}\r\n\r\n`,
    )
    const head = await new Promise<Buffer>((resolve) => socket.once('data', resolve))
    expect(head.toString().slice(0, 12)).toContain('101')
    socket.pause()

    const ping = textFrame('{"type":"ping"}')
    const burst = Buffer.concat(Array.from({ length: 10_000 }, () => ping))
    for (let i = 0; i < 40 && !socket.destroyed; i++) {
      if (!socket.write(burst)) await new Promise((resolve) => socket.once('drain', resolve))
    }

    // Now read everything the server sent: it must end with a 4008 close frame.
    let received = head.subarray(head.indexOf('\r\n\r\n') + 4)
    const code = await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 20_000)
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk])
        const found = closeCodeIn(received)
        if (found !== undefined) {
          clearTimeout(timer)
          resolve(found)
        }
      })
      socket.resume()
    })
    socket.destroy()
    expect(code, 'the server closes the flooding client as a slow consumer').toBe(4008)
  })
})
