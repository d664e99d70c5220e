/** @module Store contract: the operators' figures (outbox backlog, platform counts). */
import { describe, expect, it } from 'vitest'
import { T0, createGroup, drainAll, freshStore, ids, newUser, send, type StoreFactory } from './harness.js'

export function operationsContract(make: StoreFactory): void {
  describe('operations', () => {
    const store = freshStore(make)

    it('reports the outbox backlog: how many events wait and when the oldest was accepted', async () => {
      await drainAll(store())
      expect(await store().outboxBacklog()).toEqual({ depth: 0, oldestCreatedAt: undefined })
      const [a] = ids(1)
      const group = await createGroup(store(), [a!], { createdAt: T0 + 1 })
      await send(store(), group.id, a!, { createdAt: T0 + 7 })
      expect(await store().outboxBacklog(), 'conversation.created and message.created wait').toEqual({ depth: 2, oldestCreatedAt: T0 + 1 })
      await drainAll(store())
      expect((await store().outboxBacklog()).depth).toBe(0)
    })

    it('counts users, conversations and dead letters as they are added', async () => {
      const before = await store().platformCounts()
      await store().createUser(newUser())
      await createGroup(store(), ids(2))
      const after = await store().platformCounts()
      expect(after).toEqual({ users: before.users + 1, conversations: before.conversations + 1, deadLetters: before.deadLetters })
    })
  })
}
