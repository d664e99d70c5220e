/**
 * @module Conversation members, cached per conversation for the fan-out hot path: addressing a
 * message must not cost a store read. Entries are dropped when a membership event passes (the
 * fan-out worker sees them in outbox order) and expire after a while, which bounds how stale a
 * process that missed an invalidation can be.
 */
import type { Member } from '../model.js'
import type { Store } from '../../ports/store.js'

export interface MemberCache {
  /** The conversation's members, from the cache or one store read. */
  members(conversationId: string): Promise<readonly Member[]>
  /** Forgets a conversation, so the next read sees a membership change. */
  invalidate(conversationId: string): void
}

export interface MemberCacheOptions {
  readonly store: Pick<Store, 'listMembers'>
  /** Conversations kept at most; the least recently loaded go first. */
  readonly maxEntries: number
  readonly ttlMs: number
  readonly now: () => number
}

interface Entry {
  readonly loadedAt: number
  readonly members: Promise<readonly Member[]>
}

export function createMemberCache({ store, maxEntries, ttlMs, now }: MemberCacheOptions): MemberCache {
  const entries = new Map<string, Entry>()
  return {
    members(conversationId) {
      const cached = entries.get(conversationId)
      if (cached && now() - cached.loadedAt < ttlMs) return cached.members
      // Concurrent misses share one read; a failed read is not cached.
      const members = store.listMembers(conversationId)
      const entry = { loadedAt: now(), members }
      entries.delete(conversationId)
      entries.set(conversationId, entry)
      members.catch(() => {
        if (entries.get(conversationId) === entry) entries.delete(conversationId)
      })
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
      return members
    },
    invalidate(conversationId) {
      entries.delete(conversationId)
    },
  }
}
