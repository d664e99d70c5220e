/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request and
 * answers as the test says (200, an error status, or never). It verifies signatures the way
 * docs/webhooks.md tells customers to, independently of the platform's own signing code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly json: { id: string; type: string; created_at: string; data: Record<string, any> }
  /** The status it was answered with; null while hanging. */
  status: number | null
}

/** How to answer one request: a status, or `hang` to never answer. */
export type Responder = (request: Received) => number | 'hang'

export interface Receiver {
  /** http://127.0.0.1:<port>/hook */
  readonly url: string
  /** Every request, in arrival order. */
  readonly requests: Received[]
  /** The requests answered with a 2xx, in arrival order. */
  delivered(): Received[]
  respond(responder: Responder): void
  close(): Promise<void>
}

/** The receiver's side of docs/webhooks.md: recompute the HMAC and compare in constant time. */
export function verifySignature(secret: string, headers: IncomingHttpHeaders, rawBody: string, toleranceSeconds = 300): boolean {
  const timestamp = String(headers['chat4all-timestamp'] ?? '')
  const signature = String(headers['chat4all-signature'] ?? '')
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`)
  return signature
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected))
}

export async function startReceiver(responder: Responder = () => 200): Promise<Receiver> {
  let respond = responder
  const requests: Received[] = []
  const hanging = new Set<ServerResponse>()
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const received: Received = { headers: request.headers, body, json: JSON.parse(body), status: null }
      requests.push(received)
      const answer = respond(received)
      if (answer === 'hang') {
        hanging.add(response)
        return
      }
      received.status = answer
      response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : `failing on purpose (${answer})`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    delivered: () => requests.filter((r) => r.status !== null && r.status >= 200 && r.status < 300),
    respond: (next) => (respond = next),
    close: async () => {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
