/** @module JSON over HTTP for the SDK: bearer auth with one refresh on 401, problem+json → Chat4AllError. */
import { Chat4AllError } from './errors.js'
import type { TokenSession } from './session.js'

export type Fetch = typeof globalThis.fetch

export interface RequestOptions {
  readonly body?: unknown
  readonly query?: Readonly<Record<string, string | number | undefined>>
  /** Send the bearer token (default true). */
  readonly auth?: boolean
  readonly headers?: Readonly<Record<string, string>>
  readonly signal?: AbortSignal | undefined
}

export interface RawReply {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after')
  if (value === null) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly session: TokenSession,
    private readonly fetchImpl: Fetch = globalThis.fetch,
  ) {}

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(path, `${this.baseUrl}/`)
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value))
    return url.toString()
  }

  /** Sends the request; answers its status, headers and parsed body, or throws a Chat4AllError for non-2xx. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.raw(method, path, options)).body as T
  }

  async raw(method: string, path: string, options: RequestOptions = {}): Promise<RawReply> {
    const auth = options.auth ?? true
    let token = auth ? await this.session.accessToken() : undefined
    let reply = await this.once(method, path, options, token)
    if (reply.status === 401 && token !== undefined) {
      // The token was refused (expired early, revoked by a clock skew …): refresh once and try again.
      token = (await this.session.refreshFrom(token)).accessToken
      reply = await this.once(method, path, options, token)
    }
    if (reply.status >= 400) throw Chat4AllError.fromResponse(reply.status, reply.body, retryAfterMs(reply.headers))
    return reply
  }

  private async once(method: string, path: string, options: RequestOptions, token: string | undefined): Promise<RawReply> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`
    let response: Response
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      })
    } catch (error) {
      if (options.signal?.aborted) throw Chat4AllError.client('aborted', 'Cancelled', error)
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error)
      throw Chat4AllError.client('network_error', `Cannot reach ${this.baseUrl} (${reason})`, error)
    }
    const text = await response.text()
    let body: unknown = null
    if (text) {
      try {
        body = JSON.parse(text)
      } catch (error) {
        if (response.ok) throw Chat4AllError.client('bad_response', `${method} ${path} answered ${response.status} with a body that is not JSON`, error)
        body = { detail: text.slice(0, 200) }
      }
    }
    return { status: response.status, headers: response.headers, body }
  }
}
