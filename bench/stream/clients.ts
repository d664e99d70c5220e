/**
 * @module Stream clients for the benchmark: real `ws` WebSockets that count message frames cheaply
 * (no JSON parse on the hot path, so the load generator is not the bottleneck) and record when each
 * message arrived.
 */
import WebSocket from 'ws'

const MESSAGE = Buffer.from('"message.created"')

export interface BenchClient {
  readonly socket: WebSocket
  messages: number
  /** The server's ping interval, from `welcome`. */
  heartbeatMs: number
  /** Called with each message frame's raw bytes when set. */
  onMessage?: (data: Buffer, at: number) => void
  /** Called with every other frame after `ready` (replies to commands, receipts, …) when set. */
  onFrame?: (data: Buffer, at: number) => void
}

/** Opens one stream connection and resolves once its replay is over (`ready`). */
export function connect(baseUrl: string, token: string, onReady?: (at: number) => void): Promise<BenchClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/v1/stream`
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false })
  const client: BenchClient = { socket, messages: 0, heartbeatMs: Number.NaN }
  return new Promise((resolve, reject) => {
    let ready = false
    socket.on('message', (data: Buffer) => {
      const at = performance.now()
      // Frames start {"type":"…": look only at the head.
      if (data.subarray(0, 40).includes(MESSAGE)) {
        client.messages++
        client.onMessage?.(data, at)
      } else if (ready) {
        client.onFrame?.(data, at)
      } else if (data.subarray(0, 20).includes('"ready"')) {
        ready = true
        onReady?.(at)
        resolve(client)
      } else if (data.subarray(0, 20).includes('"welcome"')) {
        client.heartbeatMs = (JSON.parse(data.toString()) as { heartbeat_ms?: number }).heartbeat_ms ?? Number.NaN
      }
    })
    socket.once('error', reject)
    socket.once('close', (code) => {
      if (!ready) reject(new Error(`stream closed before ready: ${code}`))
    })
  })
}

/** Opens `tokens.length` connections, `parallel` handshakes at a time. */
export async function connectAll(baseUrl: string, tokens: readonly string[], parallel = 200): Promise<BenchClient[]> {
  const clients: BenchClient[] = new Array(tokens.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(parallel, tokens.length) }, async () => {
      while (next < tokens.length) {
        const i = next++
        clients[i] = await connect(baseUrl, tokens[i]!)
      }
    }),
  )
  return clients
}

export async function closeAll(clients: readonly BenchClient[]): Promise<void> {
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.socket.readyState === WebSocket.CLOSED) return resolve()
          c.socket.once('close', () => resolve())
          c.socket.close()
        }),
    ),
  )
}

export async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}
