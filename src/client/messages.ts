/**
 * @module Messages: send with a client-made `message_id` and safe retries (the server answers a
 * repeated id with the original message, so retrying can never duplicate), history over cursors,
 * receipts and reads.
 */
import { randomUUID } from 'node:crypto'
import type { HttpClient } from './http.js'
import { defaultRetry, withRetry, type RetryOptions } from './retry.js'
import type { Accepted, HistoryPage, HistoryQuery, Message, MessageDetail, MessageRead, ReadMarks, SendMessageBody } from './types.js'

export interface SendInput {
  /** A conversation id, or else `to`. */
  readonly conversationId?: string
  /** A username, user id or channel address: the private conversation with them. */
  readonly to?: string
  readonly text?: string
  readonly fileId?: string
  readonly metadata?: Readonly<Record<string, unknown>>
  readonly channels?: readonly string[]
  /** The idempotency key; made here when absent. Reuse it to resend the same message. */
  readonly messageId?: string
  readonly signal?: AbortSignal
  readonly retry?: RetryOptions
}

export interface SendResult extends Accepted {
  /** True when the server had this message already (a retry of one that was stored). */
  readonly duplicate: boolean
}

export function sendBody(input: SendInput): SendMessageBody {
  const payload: SendMessageBody['payload'] =
    input.fileId !== undefined
      ? { type: 'file', file_id: input.fileId, ...(input.text !== undefined ? { text: input.text } : {}) }
      : { type: 'text', text: input.text ?? '' }
  return {
    message_id: input.messageId ?? randomUUID(),
    ...(input.conversationId !== undefined ? { conversation_id: input.conversationId } : {}),
    ...(input.to !== undefined ? { to: input.to } : {}),
    payload,
    ...(input.metadata ? { metadata: input.metadata } : {}),
    ...(input.channels ? { channels: [...input.channels] } : {}),
  }
}

export class MessagesApi {
  constructor(private readonly http: HttpClient) {}

  /** Sends once, retrying lost answers and server failures with the same `message_id`. */
  async send(input: SendInput): Promise<SendResult> {
    const body = sendBody(input)
    const retry = { ...(input.retry ?? defaultRetry), signal: input.signal }
    return withRetry(async () => {
      const reply = await this.http.raw('POST', '/v1/messages', { body, signal: input.signal })
      return { ...(reply.body as Accepted), duplicate: reply.status === 200 }
    }, retry)
  }

  history(conversationId: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    return this.http.request('GET', `/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
      query: { limit: query.limit, after_seq: query.after_seq, before_seq: query.before_seq, cursor: query.cursor },
    })
  }

  /**
   * Every message after `afterSeq` (0: from the start) in `seq` order, page by page over the
   * cursors the API returns. Fetching history marks it DELIVERED to the caller.
   */
  async *iterate(conversationId: string, options: { afterSeq?: number; pageSize?: number } = {}): AsyncGenerator<Message> {
    let page = await this.history(conversationId, { after_seq: options.afterSeq ?? 0, limit: options.pageSize ?? 200 })
    for (;;) {
      yield* page.messages
      const cursor = page.pagination.next_cursor
      if (!cursor) return
      page = await this.history(conversationId, { cursor, limit: options.pageSize ?? 200 })
    }
  }

  /** The newest `limit` messages, oldest first. */
  async latest(conversationId: string, limit: number): Promise<readonly Message[]> {
    const messages: Message[] = []
    let page = await this.history(conversationId, { limit: Math.min(limit, 200) })
    for (;;) {
      messages.unshift(...page.messages)
      const cursor = page.pagination.next_cursor
      if (!cursor || messages.length >= limit) break
      page = await this.history(conversationId, { cursor, limit: Math.min(limit - messages.length, 200) })
    }
    return messages.slice(-limit)
  }

  get(messageId: string): Promise<MessageDetail> {
    return this.http.request('GET', `/v1/messages/${encodeURIComponent(messageId)}`)
  }

  markRead(messageId: string): Promise<MessageRead> {
    return this.http.request('POST', `/v1/messages/${encodeURIComponent(messageId)}/read`)
  }

  readUpTo(conversationId: string, upToSeq: number): Promise<ReadMarks> {
    return this.http.request('POST', `/v1/conversations/${encodeURIComponent(conversationId)}/read`, { body: { up_to_seq: upToSeq } })
  }
}
