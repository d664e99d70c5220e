/** @module Turning what the user typed (a conversation id, a username, a channel address) into a conversation. */
import type { Conversation } from '../../client/index.js'
import type { Context } from './context.js'

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const isConversationId = (text: string) => uuid.test(text)

/** Remembers who the other member of a private conversation opened by username is. */
export async function learnPrivate(ctx: Context, conversation: Conversation, username: string): Promise<void> {
  if (conversation.type !== 'private' || username.includes(':') || uuid.test(username)) return
  const other = conversation.members?.find((m) => m.kind === 'user' && m.member_id !== ctx.me)
  if (other) await ctx.learnName(other.member_id, username)
}

/**
 * A conversation id as given; anything else names a user or a contact, whose private conversation
 * with the caller is opened (created the first time, as sending to them would).
 */
export async function resolveConversation(ctx: Context, reference: string): Promise<Conversation> {
  if (isConversationId(reference)) return ctx.client.conversations.get(reference)
  const conversation = await ctx.client.conversations.create({ type: 'private', members: [reference] })
  await learnPrivate(ctx, conversation, reference)
  return conversation
}

export function titleOf(ctx: Context, conversation: Conversation): string {
  if (conversation.title) return conversation.title
  const others = (conversation.members ?? []).filter((m) => m.member_id !== ctx.me).map((m) => (m.kind === 'user' ? ctx.nameOf(m.member_id) : m.member_id))
  if (others.length > 0) return others.join(', ')
  return conversation.type === 'private' ? 'private conversation' : 'group'
}
