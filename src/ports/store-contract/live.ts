/**
 * @module Store contract: what the live stream needs from the store. Membership changes write
 * outbox events in the same transaction, memberships and contacts read in one query each, and
 * presence's last-seen time is kept.
 */
import { describe, expect, it } from 'vitest'
import { T0, createGroup, drainAll, freshStore, ids, member, newUser, sendMany, uid, type StoreFactory } from './harness.js'

export function liveContract(make: StoreFactory): void {
  describe('live stream support', () => {
    const store = freshStore(make)

    it('writes conversation.created, member.joined and member.left outbox events with the change', async () => {
      const [owner, b, c] = ids(3)
      let writes = 0
      store().onOutboxWrite(() => writes++)
      const group = await createGroup(store(), [owner!, b!], { createdAt: T0 + 1 })
      await sendMany(store(), group.id, owner!, 2)
      await store().addMembers(group.id, [member(c!, 'admin'), member(b!)], { maxMembers: 10, now: T0 + 2 })
      await store().addMembers(group.id, [member(b!)], { maxMembers: 10, now: T0 + 3 })
      await store().removeMember(group.id, b!, T0 + 4)
      await store().removeMember(group.id, b!, T0 + 5)
      expect(writes, 'listeners hear of each write that added events').toBeGreaterThanOrEqual(5)
      const events = (await drainAll(store())).map((e) => e.event).filter((e) => e.type !== 'message.created')
      expect(events).toEqual([
        {
          type: 'conversation.created',
          conversationId: group.id,
          conversationType: 'group',
          title: 'a group',
          metadata: null,
          createdBy: owner,
          members: [member(owner!, 'owner'), member(b!)],
          at: T0 + 1,
        },
        { type: 'member.joined', conversationId: group.id, members: [{ ...member(c!, 'admin'), joinedAfterSeq: 2 }], at: T0 + 2 },
        { type: 'member.left', conversationId: group.id, memberId: b, at: T0 + 4 },
      ])
    })

    it('changes title and metadata with a conversation.updated event carrying the result', async () => {
      const [owner, b] = ids(2)
      const group = await createGroup(store(), [owner!, b!], { createdAt: T0 })
      await drainAll(store())
      const renamed = await store().updateConversation(group.id, { title: 'renamed', metadata: { colour: 'blue' } }, T0 + 1)
      expect(renamed).toMatchObject({ id: group.id, title: 'renamed', metadata: { colour: 'blue' } })
      // Absent fields stay; null clears.
      await store().updateConversation(group.id, { metadata: null }, T0 + 2)
      expect(await store().getConversation(group.id)).toMatchObject({ title: 'renamed', metadata: null })
      expect(await store().updateConversation(uid('c'), { title: 'x' }, T0 + 3)).toBeUndefined()
      expect((await drainAll(store())).map((e) => e.event)).toEqual([
        { type: 'conversation.updated', conversationId: group.id, title: 'renamed', metadata: { colour: 'blue' }, at: T0 + 1 },
        { type: 'conversation.updated', conversationId: group.id, title: 'renamed', metadata: null, at: T0 + 2 },
      ])
    })

    it('writes no event when a private conversation already exists', async () => {
      const [a, b] = ids(2)
      const input = {
        type: 'private' as const,
        title: null,
        metadata: null,
        createdBy: a!,
        createdAt: T0,
        members: [member(a!), member(b!)],
      }
      await store().createConversation({ ...input, id: uid('c') })
      await drainAll(store())
      const again = await store().createConversation({ ...input, id: uid('c') })
      expect(again.created).toBe(false)
      expect(await drainAll(store())).toEqual([])
    })

    it('writes nothing when adding members is refused', async () => {
      const [owner, b, c] = ids(3)
      const group = await createGroup(store(), [owner!, b!])
      await drainAll(store())
      await expect(store().addMembers(group.id, [member(c!)], { maxMembers: 2, now: T0 })).rejects.toThrow()
      expect(await drainAll(store())).toEqual([])
    })

    it('lists memberships with last seq and watermarks in one read', async () => {
      const [a, b] = ids(2)
      const first = await createGroup(store(), [a!, b!])
      const second = await createGroup(store(), [b!, a!])
      await sendMany(store(), first.id, b!, 3)
      await store().advanceWatermark({ conversationId: first.id, memberId: a!, status: 'READ', upToSeq: 2, at: T0 })
      const memberships = await store().listMemberships(a!)
      expect([...memberships].sort((x, y) => x.conversationId.localeCompare(y.conversationId))).toEqual(
        [
          { conversationId: first.id, lastSeq: 3, joinedAfterSeq: 0, deliveredUpToSeq: 2, readUpToSeq: 2 },
          { conversationId: second.id, lastSeq: 0, joinedAfterSeq: 0, deliveredUpToSeq: 0, readUpToSeq: 0 },
        ].sort((x, y) => x.conversationId.localeCompare(y.conversationId)),
      )
      expect(await store().listMemberships(uid('nobody'))).toEqual([])
    })

    it('lists contacts from conversations up to a size, once each, with their last-seen time', async () => {
      const users = await Promise.all(Array.from({ length: 4 }, () => store().createUser(newUser())))
      const [me, friend, other, far] = users.map((u) => u.id)
      await createGroup(store(), [me!, friend!, 'whatsapp:+5511999990000'])
      await createGroup(store(), [friend!, me!])
      await createGroup(store(), [me!, other!, far!, uid('x')])
      await store().setLastSeen(friend!, T0 + 42)
      expect(await store().listContacts(me!, { maxConversationSize: 3 })).toEqual([{ userId: friend, lastSeenAt: T0 + 42 }])
      const all = await store().listContacts(me!, { maxConversationSize: 10 })
      expect(all.map((c) => c.userId).sort()).toEqual([friend, other, far].sort())
      expect(all.find((c) => c.userId === other)?.lastSeenAt).toBeNull()
    })
  })
}
