/** @module The REST calls the web client makes, typed. */
import type { Http } from './http.js'
import { toApiError } from './problem.js'
import type { Accepted, Conversation, Download, Me, Member, Message, Page, Receipt } from './types.js'

export async function register(username: string, password: string): Promise<void> {
  const response = await fetch('/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!response.ok) throw await toApiError(response)
}

export function createEndpoints(http: Http) {
  const q = encodeURIComponent
  return {
    me: () => http<Me>('GET', '/v1/me'),
    conversations: (cursor?: string) =>
      http<{ conversations: Conversation[]; pagination: Page }>('GET', `/v1/conversations?limit=100${cursor ? `&cursor=${q(cursor)}` : ''}`),
    conversation: (id: string) => http<Conversation & { members: Member[] }>('GET', `/v1/conversations/${q(id)}`),
    createConversation: (body: { type: 'private' | 'group'; members: string[]; title?: string }) =>
      http<Conversation & { members: Member[] }>('POST', '/v1/conversations', body),
    addMembers: (id: string, members: string[]) =>
      http<Conversation & { members: Member[]; added: Member[] }>('POST', `/v1/conversations/${q(id)}/members`, { members }),
    removeMember: (id: string, member: string) => http<void>('DELETE', `/v1/conversations/${q(id)}/members/${q(member)}`),
    /** The newest page, or the page before `beforeSeq`. */
    history: (id: string, beforeSeq?: number, limit = 50) =>
      http<{ messages: Message[]; pagination: Page }>(
        'GET',
        `/v1/conversations/${q(id)}/messages?limit=${limit}${beforeSeq === undefined ? '' : `&before_seq=${beforeSeq}`}`,
      ),
    /** Everything after `afterSeq` (a gap filled after a stream reset). */
    historyAfter: (id: string, afterSeq: number, limit = 200) =>
      http<{ messages: Message[]; pagination: Page }>('GET', `/v1/conversations/${q(id)}/messages?limit=${limit}&after_seq=${afterSeq}`),
    send: (body: { message_id: string; conversation_id: string; payload: unknown; metadata?: unknown }) =>
      http<Accepted>('POST', '/v1/messages', body),
    receipts: (messageId: string) => http<Message & { receipts: Receipt[] }>('GET', `/v1/messages/${q(messageId)}`),
    markRead: (id: string, upToSeq: number) => http<unknown>('POST', `/v1/conversations/${q(id)}/read`, { up_to_seq: upToSeq }),
    download: (fileId: string) => http<Download>('GET', `/v1/files/${q(fileId)}/download`),
  }
}

export type Endpoints = ReturnType<typeof createEndpoints>
