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
  /** Loads several conversations in one read ahead of a batch (a cache that keeps entries may skip it). */
  prefetch?(conversationIds: readonly string[]): Promise<void>
}

export interface MemberCacheOptions {
  readonly store: Pick<Store, 'listMembers' | 'listMembersOf'>
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

/**
 * Members read fresh for every batch: `prefetch` loads the batch's conversations in one read and
 * replaces whatever the previous batch loaded. For a worker that may not see every membership
 * change of a conversation (a shared bus hands its events to any worker), so nothing it read for
 * an earlier batch can be trusted for the next.
 */
export function createBatchMembers(store: Pick<Store, 'listMembers' | 'listMembersOf'>): MemberCache {
  let loaded = new Map<string, readonly Member[]>()
  return {
    async members(conversationId) {
      return loaded.get(conversationId) ?? store.listMembers(conversationId)
    },
    invalidate(conversationId) {
      const next = new Map(loaded)
      next.delete(conversationId)
      loaded = next
    },
    async prefetch(conversationIds) {
      loaded = new Map(await store.listMembersOf(conversationIds))
    },
  }
}
