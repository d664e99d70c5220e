/** @module Store contract: the transactional outbox and the write listener. */
import { describe, expect, it } from 'vitest'
import type { OutboxEvent } from '../../core/model.js'
import { T0, createGroup, drainAll, freshStore, ids, newMessage, send, sendMany, type StoreFactory } from './harness.js'

export function outboxContract(make: StoreFactory): void {
  describe('outbox', () => {
    const store = freshStore(make)

    it('holds a message.created event for each accepted message, none for a retry', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      await drainAll(store()) // the group's conversation.created
      const message = await send(store(), group.id, a!, { createdAt: T0 + 5 })
      expect((await store().appendMessage(message)).kind).toBe('duplicate')
      expect((await store().appendMessage({ ...message, bodyHash: 'other' })).kind).toBe('conflict')
      const events = await drainAll(store())
      expect(events).toEqual([
        {
          id: expect.any(String),
          createdAt: T0 + 5,
          event: {
            type: 'message.created',
            messageId: message.id,
            conversationId: group.id,
            seq: 1,
            senderId: a,
            payload: message.payload,
            metadata: message.metadata,
            createdAt: message.createdAt,
          },
        },
      ])
      expect(await drainAll(store())).toEqual([])
    })

    it('lists pending events past a position without removing them, and deletes by position', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      await drainAll(store())
      const sent = await sendMany(store(), group.id, a!, 5)
      const all = await store().listOutbox(0, 100)
      expect(all.map((p) => (p.event.event as { messageId?: string }).messageId)).toEqual(sent.map((m) => m.id))
      const positions = all.map((p) => p.position)
      expect([...positions].sort((x, y) => x - y), 'in position order').toEqual(positions)
      expect(await store().listOutbox(0, 100), 'listing removes nothing').toEqual(all)
      const afterTwo = await store().listOutbox(positions[1]!, 2)
      expect(afterTwo).toEqual(all.slice(2, 4))
      await store().deleteOutbox(positions.slice(0, 3))
      await store().deleteOutbox(positions.slice(0, 1)) // already gone: ignored
      await store().deleteOutbox([])
      expect(await store().listOutbox(0, 100)).toEqual(all.slice(3))
      expect((await drainAll(store())).map((e) => e.id)).toEqual(all.slice(3).map((p) => p.event.id))
    })

    it('hands events out oldest first, in batches of at most the limit, with unique ids', async () => {
      const [a] = ids(1)
      const g1 = await createGroup(store(), [a!])
      const g2 = await createGroup(store(), [a!])
      await drainAll(store())
      const sent = []
      for (let i = 0; i < 3; i++) sent.push(await send(store(), g1.id, a!), await send(store(), g2.id, a!))
      const batches: OutboxEvent[][] = []
      let handed: number
      do {
        handed = await store().drainOutbox(4, async (events) => void batches.push([...events]))
        if (handed > 0) expect(handed).toBe(batches[batches.length - 1]!.length)
      } while (handed > 0)
      expect(batches.map((b) => b.length)).toEqual([4, 2])
      const events = batches.flat()
      expect(events.map((e) => e.event.type === 'message.created' && e.event.messageId)).toEqual(sent.map((m) => m.id))
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
    })

    it('keeps events whose publish failed and hands them out again', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      await drainAll(store())
      await sendMany(store(), group.id, a!, 3)
      const failed: OutboxEvent[] = []
      const failure = new Error('bus unavailable')
      await expect(
        store().drainOutbox(10, async (events) => {
          failed.push(...events)
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(failed).toHaveLength(3)
      expect(await drainAll(store())).toEqual(failed)
    })

    it('removes events only once publish resolved', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      await drainAll(store())
      await send(store(), group.id, a!)
      let release = () => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      let published = false
      const draining = store().drainOutbox(10, async () => {
        await gate
        published = true
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(published).toBe(false)
      release()
      expect(await draining).toBe(1)
      expect(published).toBe(true)
      expect(await drainAll(store())).toEqual([])
    })

    it('records status changes as message.status events', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      const [, m2] = await sendMany(store(), group.id, a!, 2)
      await drainAll(store())
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'DELIVERED', upToSeq: 9, at: T0 + 10 })
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'DELIVERED', upToSeq: 1, at: T0 + 11 })
      await store().markMessageRead(m2!.id, b!, T0 + 12)
      await store().markMessageRead(m2!.id, b!, T0 + 13)
      const events = await drainAll(store())
      expect(events.map((e) => e.event)).toEqual([
        { type: 'message.status', conversationId: group.id, memberId: b, status: 'DELIVERED', upToSeq: 2, messageId: null, at: T0 + 10 },
        { type: 'message.status', conversationId: group.id, memberId: b, status: 'READ', upToSeq: 2, messageId: m2!.id, at: T0 + 12 },
      ])
      expect(events.map((e) => e.createdAt)).toEqual([T0 + 10, T0 + 12])
    })

    it('tells listeners after a write, when its events can be drained', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      const seen: Promise<OutboxEvent[]>[] = []
      store().onOutboxWrite(() => void seen.push(drainAll(store())))
      const message = newMessage(group.id, a!)
      await store().appendMessage(message)
      expect(seen.length).toBeGreaterThan(0)
      const drained = (await Promise.all(seen)).flat()
      expect(drained.map((e) => e.event.type === 'message.created' && e.event.messageId)).toContain(message.id)
    })

    it('does not fail or repeat a write when a listener throws', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      await drainAll(store())
      let calls = 0
      store().onOutboxWrite(() => {
        calls++
        throw new Error('listener bug')
      })
      const result = await store().appendMessage(newMessage(group.id, a!))
      expect(result.kind).toBe('created')
      expect(calls).toBeGreaterThan(0)
      expect(await drainAll(store())).toHaveLength(1)
    })
  })
}
