/** @module Bench fixtures: registered users with tokens, and conversations between them. */
import { randomUUID } from 'node:crypto'
import { Api, forEachLimit } from './api.js'

export interface BenchUser {
  readonly userId: string
  readonly username: string
  readonly token: string
}

export interface BenchConversation {
  readonly conversationId: string
  /** Members that may send into it (their tokens are used round-robin). */
  readonly senders: readonly BenchUser[]
}

const PASSWORD = 'bench-password-not-secret'

export async function createUsers(api: Api, count: number): Promise<BenchUser[]> {
  const tag = randomUUID().slice(0, 8)
  const users: BenchUser[] = new Array<BenchUser>(count)
  await forEachLimit(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
    const username = `bench_${tag}_${i}`
    const { user_id } = await api.expect<{ user_id: string }>([201], 'POST', '/auth/register', undefined, { username, password: PASSWORD })
    const { access_token } = await api.expect<{ access_token: string }>([200], 'POST', '/auth/token', undefined, {
      username,
      password: PASSWORD,
    })
    users[i] = { userId: user_id, username, token: access_token }
  })
  return users
}

/** A private conversation between two users; both send into it. */
export async function privateConversation(api: Api, a: BenchUser, b: BenchUser): Promise<BenchConversation> {
  const { conversation_id } = await api.expect<{ conversation_id: string }>([200, 201], 'POST', '/v1/conversations', a.token, {
    type: 'private',
    members: [b.userId],
  })
  return { conversationId: conversation_id, senders: [a, b] }
}

/**
 * `count` two-member groups: group k is created by user k mod n with user k+1 mod n, and k's
 * creator sends into it, so consecutive requests carry different tokens.
 */
export async function pairGroups(api: Api, users: readonly BenchUser[], count: number): Promise<BenchConversation[]> {
  const conversations = new Array<BenchConversation>(count)
  await forEachLimit(Array.from({ length: count }, (_, k) => k), 16, async (k) => {
    const owner = users[k % users.length]!
    const other = users[(k + 1) % users.length]!
    const { conversation_id } = await api.expect<{ conversation_id: string }>([201], 'POST', '/v1/conversations', owner.token, {
      type: 'group',
      members: [other.userId],
    })
    conversations[k] = { conversationId: conversation_id, senders: [owner] }
  })
  return conversations
}

/** The text of the nth bench message: the same size over REST and the WebSocket. */
export const benchText = (n: number): string => `bench message ${n}: the quick brown fox jumps over the lazy dog`

export function textBody(messageId: string, conversationId: string, n: number): string {
  return JSON.stringify({ message_id: messageId, conversation_id: conversationId, payload: { type: 'text', text: benchText(n) } })
}
