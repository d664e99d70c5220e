/** @module Conversations: creation, visibility, membership. Non-members never learn one exists. */
import type { CoreContext } from './context.js'
import { errors } from './errors.js'
import type { Conversation, ConversationSummary, ConversationType, Member, MemberRole } from './model.js'
import { resolveMember, resolveMembers } from './members.js'
import type { ConversationCursor } from '../ports/store.js'

export interface NewConversationInput {
  readonly type: ConversationType
  readonly members: readonly string[]
  readonly title?: string | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

export interface ConversationView {
  readonly conversation: Conversation
  readonly members: readonly Member[]
}

const canManage = (role: MemberRole) => role === 'owner' || role === 'admin'

export async function createConversation(
  ctx: CoreContext,
  callerId: string,
  input: NewConversationInput,
): Promise<ConversationView & { created: boolean }> {
  const others = (await resolveMembers(ctx, input.members, 'members')).filter((m) => m.id !== callerId)
  if (input.type === 'private' && others.length !== 1) {
    throw errors.invalidConversation('members', 'A private conversation has exactly one other member')
  }
  if (others.length + 1 > ctx.limits.maxGroupMembers) throw errors.memberLimitReached(ctx.limits.maxGroupMembers)
  // A private conversation that exists is found with a read; the write is for the first time only.
  const existing = input.type === 'private' ? await ctx.store.findPrivateConversation(callerId, others[0]!.id) : undefined
  if (existing) return { conversation: existing, members: await ctx.store.listMembers(existing.id), created: false }
  const callerRole: MemberRole = input.type === 'group' ? 'owner' : 'member'
  const { conversation, created } = await ctx.store.createConversation({
    id: ctx.newId(),
    type: input.type,
    title: input.title ?? null,
    metadata: input.metadata ?? null,
    createdBy: callerId,
    createdAt: ctx.now(),
    members: [{ kind: 'user', id: callerId, role: callerRole }, ...others.map((m) => ({ ...m, role: 'member' as const }))],
  })
  return { conversation, members: await ctx.store.listMembers(conversation.id), created }
}

/** The conversation and the caller's membership; 404 for everyone who is not a member. */
export async function requireMembership(
  ctx: CoreContext,
  callerId: string,
  conversationId: string,
): Promise<{ conversation: Conversation; membership: Member }> {
  const membership = await ctx.store.getMember(conversationId, callerId)
  const conversation = membership && (await ctx.store.getConversation(conversationId))
  if (!membership || !conversation) throw errors.conversationNotFound(conversationId)
  return { conversation, membership }
}

export async function getConversation(ctx: CoreContext, callerId: string, id: string): Promise<ConversationView> {
  const { conversation } = await requireMembership(ctx, callerId, id)
  return { conversation, members: await ctx.store.listMembers(id) }
}

export function listConversations(
  ctx: CoreContext,
  callerId: string,
  options: { limit: number; cursor?: ConversationCursor },
): Promise<readonly ConversationSummary[]> {
  return ctx.store.listConversations(callerId, options)
}

export interface ConversationChanges {
  /** A new title; null clears it. Absent: unchanged. */
  readonly title?: string | null | undefined
  /** New metadata (replaces the old); null clears it. Absent: unchanged. */
  readonly metadata?: Readonly<Record<string, unknown>> | null | undefined
}

/**
 * Changes a group's title or metadata; owners and admins only. The change and its
 * `conversation.updated` event are written together, so the stream and webhooks hear of it.
 */
export async function updateConversation(
  ctx: CoreContext,
  callerId: string,
  conversationId: string,
  changes: ConversationChanges,
): Promise<ConversationView> {
  const { membership } = await requireMembership(ctx, callerId, conversationId)
  // Every transport's rule, not only the REST schema's: a change must change something.
  if (changes.title === undefined && changes.metadata === undefined) throw errors.validation('title', 'Give a title or metadata to change')
  if (!canManage(membership.role)) throw errors.forbidden('Only owners and admins may change a conversation')
  if (changes.metadata && Buffer.byteLength(JSON.stringify(changes.metadata)) > ctx.limits.maxMetadataBytes) {
    throw errors.payloadTooLarge('metadata', `Metadata is limited to ${ctx.limits.maxMetadataBytes} bytes of JSON`)
  }
  const updated = await ctx.store.updateConversation(conversationId, changes, ctx.now())
  if (!updated) throw errors.conversationNotFound(conversationId)
  return { conversation: updated, members: await ctx.store.listMembers(conversationId) }
}

export async function addMembers(
  ctx: CoreContext,
  callerId: string,
  conversationId: string,
  references: readonly string[],
  role: MemberRole = 'member',
): Promise<ConversationView & { added: readonly Member[] }> {
  const { conversation, membership } = await requireMembership(ctx, callerId, conversationId)
  if (conversation.type === 'private') {
    throw errors.invalidConversation('conversation_id', 'Members cannot be added to a private conversation; create a group')
  }
  if (!canManage(membership.role)) throw errors.forbidden('Only owners and admins may add members')
  if (role === 'owner') throw errors.validation('role', 'A group has one owner; add members as admin or member')
  const members = await resolveMembers(ctx, references, 'members')
  const added = await ctx.store.addMembers(conversationId, members.map((m) => ({ ...m, role })), {
    maxMembers: ctx.limits.maxGroupMembers,
    now: ctx.now(),
  })
  return { conversation, members: await ctx.store.listMembers(conversationId), added }
}

export async function removeMember(
  ctx: CoreContext,
  callerId: string,
  conversationId: string,
  reference: string,
): Promise<void> {
  const { conversation, membership } = await requireMembership(ctx, callerId, conversationId)
  if (conversation.type === 'private') {
    throw errors.invalidConversation('conversation_id', 'A private conversation always keeps its two members')
  }
  const target = await resolveMember(ctx, reference, 'member').catch(() => {
    throw errors.memberNotFound(reference)
  })
  const isSelf = target.id === callerId
  if (!isSelf) {
    const targetMembership = await ctx.store.getMember(conversationId, target.id)
    if (!targetMembership) throw errors.memberNotFound(reference)
    if (!canManage(membership.role)) throw errors.forbidden('Only owners and admins may remove other members')
    if (targetMembership.role === 'owner') throw errors.forbidden('The owner cannot be removed by others')
  }
  const removed = await ctx.store.removeMember(conversationId, target.id, ctx.now())
  if (!removed) throw errors.memberNotFound(reference)
}

