/**
 * @module Tools of the connector contract (`connector.contract.ts`): a webhook receiver on
 * loopback that keeps each request's exact bytes, a client of the simulators' control API, and a
 * virtual clock for the breaker and the pacer.
 */
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { GuardClock } from '../core/channels/send-guard.js'
import type { WebhookRequest } from './connector.js'

export interface WebhookReceiver {
  readonly url: string
  readonly requests: WebhookRequest[]
  /** Resolves with the first request (after those already taken) that `matches`. */
  next(matches?: (request: WebhookRequest) => boolean, timeoutMs?: number): Promise<WebhookRequest>
  /** Waits until `count` requests have arrived in all. */
  waitForCount(count: number, timeoutMs?: number): Promise<WebhookRequest[]>
  clear(): void
  close(): Promise<void>
}

/** What to answer a request with instead of 200; undefined: the default answer. */
export type Responder = (request: WebhookRequest) => { readonly status: number; readonly body: string } | undefined

export async function startWebhookReceiver(respond: Responder = () => undefined): Promise<WebhookReceiver> {
  const requests: WebhookRequest[] = []
  let taken = 0
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://receiver')
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers[key] = value
      const request = { method: incoming.method ?? 'POST', headers, query: Object.fromEntries(url.searchParams), rawBody: Buffer.concat(chunks) }
      const answer = respond(request)
      if (answer) return void response.writeHead(answer.status).end(answer.body)
      requests.push(request)
      response.writeHead(200).end('EVENT_RECEIVED')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const until = async <T>(found: () => T | undefined, what: string, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = found()
      if (value !== undefined) return value
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${requests.length} webhook requests`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    requests,
    next: (matches = () => true, timeoutMs = 10_000) =>
      until(
        () => {
          const index = requests.findIndex((r, i) => i >= taken && matches(r))
          if (index < 0) return undefined
          taken = index + 1
          return requests[index]
        },
        'a matching webhook request',
        timeoutMs,
      ),
    waitForCount: (count, timeoutMs = 10_000) => until(() => (requests.length >= count ? [...requests] : undefined), `${count} webhook requests`, timeoutMs),
    clear() {
      requests.length = 0
      taken = 0
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** The simulators' control API (docs/channels.md), as the contract uses it. */
export function simulatorControl(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${baseUrl}/_sim${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
    const answer: unknown = await response.json()
    if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${JSON.stringify(answer)}`)
    return answer
  }
  return {
    reset: () => call('POST', '/reset'),
    setWebhook: (url: string, secret?: string) => call('PUT', '/webhook', { url, ...(secret ? { secret } : {}) }),
    setDelays: (deliveredMs: number | null, readMs: number | null) => call('PUT', '/delays', { delivered_ms: deliveredMs, read_ms: readMs }),
    subscribeWebhook: async (verifyToken: string) => (await call('POST', '/webhook/subscribe', { verify_token: verifyToken })) as { verified: boolean; status: number | null },
    fault: (kind: string, options: { times?: number; retryAfterSeconds?: number } = {}) =>
      call('POST', '/faults', { kind, times: options.times ?? 1, retry_after_seconds: options.retryAfterSeconds ?? 1 }),
    supportedFaults: async () => ((await call('GET', '')) as { supported_faults: string[] }).supported_faults,
    received: async () => ((await call('GET', '/messages')) as { messages: { id: string; type: string; text?: string; link?: string; replyTo?: string }[] }).messages,
    attempts: async () => ((await call('GET', '/requests')) as { requests: { status: number | null; fault?: string }[] }).requests,
    contactSends: async (contact: string, message: { text?: string; file?: { url: string; mime_type: string }; reply_to?: string }) =>
      (await call('POST', `/contacts/${encodeURIComponent(contact)}/messages`, message)) as { id: string },
  }
}

export type SimulatorControl = ReturnType<typeof simulatorControl>

/**
 * Virtual time for the guard: sleeps move it forward instead of waiting. Time moves on the next
 * turn of the event loop, so calls made together all see the same instant.
 */
export function virtualClock(start = 1_700_000_000_000): GuardClock & { advance(ms: number): void; readonly waits: number[] } {
  let now = start
  const waits: number[] = []
  return {
    waits,
    now: () => now,
    advance: (ms) => void (now += ms),
    sleep: async (ms) => {
      const until = now + ms
      waits.push(ms)
      await new Promise((resolve) => setImmediate(resolve))
      now = Math.max(now, until)
    },
  }
}

/** Resolves once `check` holds, polling; fails naming `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
