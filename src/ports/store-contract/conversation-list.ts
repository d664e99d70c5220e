/** @module Store contract: a member's conversation list (order, cursor, unread counts, last message). */
import { describe, expect, it } from 'vitest'
import type { ConversationSummary } from '../../core/model.js'
import type { ConversationCursor } from '../store.js'
import { T0, createGroup, ids, member, send, sharedStore, uid, type StoreFactory } from './harness.js'

const cursorOf = (summary: ConversationSummary): ConversationCursor => ({
  lastActivityAt: summary.conversation.lastActivityAt,
  id: summary.conversation.id,
})

export function conversationListContract(make: StoreFactory): void {
  describe('listConversations', () => {
    const store = sharedStore(make)

    it('lists only the member’s conversations, most recent activity first', async () => {
      const [me, other] = ids(2)
      const c1 = await createGroup(store(), [me!, other!], { createdAt: T0 + 1 })
      const c2 = await createGroup(store(), [other!, me!], { createdAt: T0 + 2 })
      const c3 = await createGroup(store(), [me!], { createdAt: T0 + 3 })
      await createGroup(store(), [other!], { createdAt: T0 + 4 })
      await send(store(), c1.id, other!, { createdAt: T0 + 10 })

      const list = await store().listConversations(me!, { limit: 10 })
      expect(list.map((s) => s.conversation.id)).toEqual([c1.id, c3.id, c2.id])
      expect(list[0]!.conversation).toMatchObject({ lastSeq: 1, lastActivityAt: T0 + 10 })
      expect(await store().listConversations(uid('nobody'), { limit: 10 })).toEqual([])
    })

    it('pages with a cursor, strictly after it, also through equal activity times', async () => {
      const [me] = ids(1)
      const created = []
      for (let i = 0; i < 5; i++) created.push(await createGroup(store(), [me!], { createdAt: T0 + (i < 3 ? 7 : i) }))
      const seen: string[] = []
      let cursor: ConversationCursor | undefined
      for (let page = 0; page < 10; page++) {
        const list = await store().listConversations(me!, { limit: 2, ...(cursor ? { cursor } : {}) })
        if (list.length === 0) break
        expect(list.length).toBeLessThanOrEqual(2)
        seen.push(...list.map((s) => s.conversation.id))
        cursor = cursorOf(list[list.length - 1]!)
      }
      expect(seen).toHaveLength(5)
      expect(new Set(seen)).toEqual(new Set(created.map((c) => c.id)))
      expect(seen).toEqual((await store().listConversations(me!, { limit: 10 })).map((s) => s.conversation.id))
    })

    it('gives the last message, and null before any', async () => {
      const [me, other] = ids(2)
      const group = await createGroup(store(), [me!, other!])
      const [empty] = await store().listConversations(me!, { limit: 1 })
      expect(empty).toEqual({ conversation: group, lastMessage: null, unreadCount: 0 })
      await send(store(), group.id, me!, { createdAt: T0 + 20 })
      const last = await send(store(), group.id, other!, { createdAt: T0 + 21, metadata: { k: 'v' } })
      const [summary] = await store().listConversations(me!, { limit: 1 })
      expect(summary?.lastMessage).toEqual(last)
    })

    it('counts messages from others above the read watermark as unread', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      for (let i = 0; i < 3; i++) await send(store(), group.id, a!)
      await send(store(), group.id, b!)
      const unread = async (who: string) => (await store().listConversations(who, { limit: 1 }))[0]?.unreadCount
      expect(await unread(b!)).toBe(3)
      expect(await unread(a!)).toBe(1)
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'READ', upToSeq: 2, at: T0 + 30 })
      expect(await unread(b!)).toBe(1)
      // Delivery alone does not make a message read.
      await store().advanceWatermark({ conversationId: group.id, memberId: a!, status: 'DELIVERED', upToSeq: 4, at: T0 + 30 })
      expect(await unread(a!)).toBe(1)
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'READ', upToSeq: 4, at: T0 + 31 })
      expect(await unread(b!)).toBe(0)
    })

    it('does not count what was sent before a member joined as unread', async () => {
      const [a, late] = ids(2)
      const group = await createGroup(store(), [a!])
      for (let i = 0; i < 3; i++) await send(store(), group.id, a!)
      await store().addMembers(group.id, [member(late!)], { maxMembers: 10, now: T0 + 40 })
      const unread = async () => (await store().listConversations(late!, { limit: 1 }))[0]?.unreadCount
      expect(await unread()).toBe(0)
      await send(store(), group.id, a!)
      expect(await unread()).toBe(1)
    })
  })
}
