/** @module Store contract: conversations and membership. */
import { describe, expect, it } from 'vitest'
import type { NewConversation } from '../../core/model.js'
import { T0, createGroup, errorCode, ids, member, send, sharedStore, uid, type StoreFactory } from './harness.js'

const privateBetween = (a: string, b: string, overrides: Partial<NewConversation> = {}): NewConversation => ({
  id: uid('p'),
  type: 'private',
  title: null,
  metadata: null,
  createdBy: a,
  createdAt: T0,
  members: [member(a), member(b)],
  ...overrides,
})

export function conversationContract(make: StoreFactory): void {
  describe('conversations', () => {
    const store = sharedStore(make)

    it('creates a group with its members in one write', async () => {
      const [owner, a, b] = ids(3)
      const input: NewConversation = {
        id: uid('g'),
        type: 'group',
        title: 'Project',
        metadata: { topic: 'launch', nested: { n: 1 } },
        createdBy: owner!,
        createdAt: T0 + 5,
        members: [member(owner!, 'owner'), member(a!, 'admin'), { kind: 'external', id: `whatsapp:+55${b}`, role: 'member' }],
      }
      const { conversation, created } = await store().createConversation(input)
      expect(created).toBe(true)
      expect(conversation).toEqual({
        id: input.id,
        type: 'group',
        title: 'Project',
        metadata: { topic: 'launch', nested: { n: 1 } },
        createdBy: owner,
        createdAt: T0 + 5,
        lastSeq: 0,
        lastActivityAt: T0 + 5,
      })
      expect(await store().getConversation(input.id)).toEqual(conversation)
      const members = await store().listMembers(input.id)
      expect(members.map((m) => [m.id, m.kind, m.role]).sort()).toEqual(
        [
          [owner, 'user', 'owner'],
          [a, 'user', 'admin'],
          [`whatsapp:+55${b}`, 'external', 'member'],
        ].sort(),
      )
      for (const m of members) {
        expect(m).toMatchObject({ joinedAt: T0 + 5, joinedAfterSeq: 0, deliveredUpToSeq: 0, readUpToSeq: 0 })
      }
      expect(await store().getMember(input.id, a!)).toEqual(members.find((m) => m.id === a))
      expect(await store().getMember(input.id, uid('stranger'))).toBeUndefined()
      expect(await store().getConversation(uid('missing'))).toBeUndefined()
      expect(await store().listMembers(uid('missing'))).toEqual([])
    })

    it('lists the members of several conversations in one read, each as listMembers does', async () => {
      const [a, b, c] = ids(3)
      const one = await createGroup(store(), [a!, b!])
      const two = await createGroup(store(), [c!])
      const byConversation = await store().listMembersOf([one.id, two.id, 'no-such-conversation', one.id])
      expect([...byConversation.keys()].sort()).toEqual([one.id, two.id].sort())
      expect(byConversation.get(one.id)).toEqual(await store().listMembers(one.id))
      expect(byConversation.get(two.id)).toEqual(await store().listMembers(two.id))
      expect((await store().listMembersOf([])).size).toBe(0)
    })

    it('keeps one private conversation per pair, whichever side asks', async () => {
      const [a, b] = ids(2)
      const first = await store().createConversation(privateBetween(a!, b!))
      expect(first.created).toBe(true)
      expect(first.conversation.type).toBe('private')
      const again = privateBetween(b!, a!, { createdAt: T0 + 99 })
      const second = await store().createConversation(again)
      expect(second).toEqual({ conversation: first.conversation, created: false })
      expect(await store().getConversation(again.id)).toBeUndefined()
      expect(await store().listMembers(first.conversation.id)).toHaveLength(2)
      // A different pair gets its own conversation.
      const other = await store().createConversation(privateBetween(a!, uid('c')))
      expect(other.created).toBe(true)
      expect(other.conversation.id).not.toBe(first.conversation.id)
    })

    it('finds the private conversation of a pair by reading, whichever side asks', async () => {
      const [a, b, c] = ids(3)
      expect(await store().findPrivateConversation(a!, b!)).toBeUndefined()
      const { conversation } = await store().createConversation(privateBetween(a!, b!))
      expect(await store().findPrivateConversation(a!, b!)).toEqual(conversation)
      expect(await store().findPrivateConversation(b!, a!)).toEqual(conversation)
      expect(await store().findPrivateConversation(a!, c!)).toBeUndefined()
      // A group of the same two is not their private conversation.
      await createGroup(store(), [a!, c!])
      expect(await store().findPrivateConversation(a!, c!)).toBeUndefined()
    })

    it('creates a private conversation once when both sides race to create it', async () => {
      const [a, b] = ids(2)
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store().createConversation(i % 2 ? privateBetween(a!, b!) : privateBetween(b!, a!))),
      )
      expect(results.filter((r) => r.created)).toHaveLength(1)
      expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1)
      expect(await store().listMembers(results[0]!.conversation.id)).toHaveLength(2)
    })

    it('adds members, leaving existing ones as they are, and says who was added', async () => {
      const [owner, a, b, c] = ids(4)
      const group = await createGroup(store(), [owner!, a!])
      await send(store(), group.id, owner!)
      await send(store(), group.id, owner!)
      const added = await store().addMembers(
        group.id,
        [member(a!, 'admin'), member(b!, 'admin'), member(c!)],
        { maxMembers: 4, now: T0 + 50 },
      )
      expect(added.map((m) => m.id).sort()).toEqual([b, c].sort())
      expect(added.find((m) => m.id === b)).toEqual({
        kind: 'user',
        id: b,
        role: 'admin',
        joinedAt: T0 + 50,
        joinedAfterSeq: 2,
        deliveredUpToSeq: 0,
        readUpToSeq: 0,
      })
      expect((await store().getMember(group.id, a!))?.role).toBe('member')
      expect(await store().listMembers(group.id)).toHaveLength(4)
      expect(await store().addMembers(group.id, [member(c!)], { maxMembers: 4, now: T0 + 60 })).toEqual([])
    })

    it('refuses to grow past the member limit and then adds nobody', async () => {
      const [owner, a, b] = ids(3)
      const group = await createGroup(store(), [owner!, a!])
      const before = await store().getConversation(group.id)
      const code = await errorCode(store().addMembers(group.id, [member(b!), member(uid('x'))], { maxMembers: 3, now: T0 + 70 }))
      expect(code).toBe('member_limit_reached')
      expect((await store().listMembers(group.id)).map((m) => m.id).sort()).toEqual([owner, a].sort())
      expect(await store().getMember(group.id, b!)).toBeUndefined()
      expect(await store().getConversation(group.id)).toEqual(before)
      // Exactly at the limit is fine.
      expect(await store().addMembers(group.id, [member(b!)], { maxMembers: 3, now: T0 + 71 })).toHaveLength(1)
    })

    it('holds the member limit when additions race', async () => {
      const [owner] = ids(1)
      const group = await createGroup(store(), [owner!])
      const outcomes = await Promise.allSettled(
        ids(6).map((id) => store().addMembers(group.id, [member(id)], { maxMembers: 4, now: T0 + 80 })),
      )
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3)
      expect(await store().listMembers(group.id)).toHaveLength(4)
    })

    it('removes a member, and says so only once', async () => {
      const [owner, a] = ids(2)
      const group = await createGroup(store(), [owner!, a!])
      expect(await store().removeMember(group.id, a!, T0 + 90)).toBe(true)
      expect(await store().getMember(group.id, a!)).toBeUndefined()
      expect((await store().listMembers(group.id)).map((m) => m.id)).toEqual([owner])
      expect(await store().removeMember(group.id, a!, T0 + 91)).toBe(false)
      expect(await store().removeMember(group.id, uid('stranger'), T0 + 92)).toBe(false)
    })
  })
}
