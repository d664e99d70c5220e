/**
 * A small HTTP client for tests: real requests over the network with fetch. Every response is
 * checked against the server's OpenAPI document (documented.ts).
 */
import { checkerFor, checkingResponses } from './documented.js'

export interface Reply<T = Record<string, unknown>> {
  readonly status: number
  readonly headers: Headers
  readonly body: T
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }
    const response = await fetch(`${this.baseUrl}${path}`, init)
    const text = await response.text()
    const parsed = (text ? JSON.parse(text) : null) as T
    if (checkingResponses) (await checkerFor(this.baseUrl))?.check(method, path, response.status, parsed)
    return { status: response.status, headers: response.headers, body: parsed }
  }

  get = <T = any>(path: string) => this.request<T>('GET', path)
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body)
  delete = <T = any>(path: string) => this.request<T>('DELETE', path)
}

let counter = 0

/** Registers a fresh user and returns a client holding their token. */
export async function newUser(baseUrl: string, prefix = 'user'): Promise<ApiClient & { userId: string; username: string }> {
  const username = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`
  const anonymous = new ApiClient(baseUrl)
  const registered = await anonymous.post('/auth/register', { username, password: 'correct-horse-battery' })
  if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`)
  const token = await anonymous.post('/auth/token', { username, password: 'correct-horse-battery' })
  const client = new ApiClient(baseUrl, token.body.access_token as string)
  return Object.assign(client, { userId: registered.body.user_id as string, username })
}
