/** @module A small keep-alive API client (undici) for setting up fixtures and verifying results. */
import { Pool } from 'undici'

export interface ApiReply<T> {
  readonly status: number
  readonly body: T
}

export class Api {
  readonly pool: Pool

  constructor(
    readonly url: string,
    connections = 16,
  ) {
    this.pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 })
  }

  async request<T>(method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<ApiReply<T>> {
    const headers: Record<string, string> = {}
    if (token) headers['authorization'] = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await this.pool.request({
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.body.text()
    return { status: response.statusCode, body: (text ? JSON.parse(text) : null) as T }
  }

  /** Like `request`, but throws unless the status is one of `expected`. */
  async expect<T>(expected: readonly number[], method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<T> {
    const reply = await this.request<T>(method, path, token, body)
    if (!expected.includes(reply.status)) {
      throw new Error(`${method} ${path} → ${reply.status}: ${JSON.stringify(reply.body).slice(0, 500)}`)
    }
    return reply.body
  }

  close(): Promise<void> {
    return this.pool.close()
  }
}

export interface HistoryPage {
  readonly messages: readonly { message_id: string; seq: number }[]
  readonly pagination: { has_more: boolean; next_cursor: string | null }
}

/**
 * Pages forward through a conversation's whole history: `after_seq=0`, then `next_cursor` while
 * `has_more`.
 * Calls `onPage` with each page's messages.
 */
export async function pageHistory(
  api: Api,
  token: string,
  conversationId: string,
  limit: number,
  onPage?: (messages: HistoryPage['messages']) => void,
): Promise<{ pages: number; messages: number; lastSeq: number }> {
  let lastSeq = 0
  let pages = 0
  let messages = 0
  // The first page by after_seq, the rest by the opaque cursor the API hands back.
  let query = `after_seq=0`
  for (;;) {
    const page = await api.expect<HistoryPage>([200], 'GET', `/v1/conversations/${conversationId}/messages?limit=${limit}&${query}`, token)
    pages++
    messages += page.messages.length
    onPage?.(page.messages)
    const last = page.messages.at(-1)
    if (last) lastSeq = last.seq
    const cursor = page.pagination.next_cursor
    if (!page.pagination.has_more || !cursor) return { pages, messages, lastSeq }
    query = `cursor=${encodeURIComponent(cursor)}`
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function forEachLimit<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
