/** @module Conversations: list (page by page or all), create, read, members. */
import type { HttpClient } from './http.js'
import type { Conversation, ConversationPage, ConversationSummary, CreateConversationInput, MembersAdded } from './types.js'

const path = (id: string) => `/v1/conversations/${encodeURIComponent(id)}`

export class ConversationsApi {
  constructor(private readonly http: HttpClient) {}

  list(options: { limit?: number; cursor?: string } = {}): Promise<ConversationPage> {
    return this.http.request('GET', '/v1/conversations', { query: { limit: options.limit, cursor: options.cursor } })
  }

  /** Every conversation of the caller, most recent activity first, following the cursors. */
  async *all(pageSize = 100): AsyncGenerator<ConversationSummary> {
    let cursor: string | undefined
    do {
      const page = await this.list({ limit: pageSize, ...(cursor ? { cursor } : {}) })
      yield* page.conversations
      cursor = page.pagination.next_cursor ?? undefined
    } while (cursor)
  }

  /** 201 creates; a private conversation that exists already is answered as it is. */
  create(input: CreateConversationInput): Promise<Conversation> {
    return this.http.request('POST', '/v1/conversations', { body: input })
  }

  get(id: string): Promise<Conversation> {
    return this.http.request('GET', path(id))
  }

  addMembers(id: string, members: readonly string[], role?: 'admin' | 'member'): Promise<MembersAdded> {
    return this.http.request('POST', `${path(id)}/members`, { body: { members, ...(role ? { role } : {}) } })
  }

  async removeMember(id: string, member: string): Promise<void> {
    await this.http.request('DELETE', `${path(id)}/members/${encodeURIComponent(member)}`)
  }
}
