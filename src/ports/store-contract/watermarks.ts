/** @module Store contract: watermarks (DELIVERED / READ up to a seq) and reading one message. */
import { describe, expect, it } from 'vitest'
import type { Message, Receipt } from '../../core/model.js'
import type { Store, WatermarkChange } from '../store.js'
import {
  T0,
  createGroup,
  drainAll,
  ids,
  member,
  newMessage,
  send,
  sendMany,
  sharedStore,
  uid,
  type StoreFactory,
} from './harness.js'

async function receiptOf(store: Store, message: Message, memberId: string): Promise<Receipt | undefined> {
  return (await store.getReceipts(message.id)).find((r) => r.memberId === memberId)
}

/** A group conversation: a sent three messages that b and c have receipts for. */
async function routed(store: Store) {
  const [a, b, c] = ids(3)
  const group = await createGroup(store, [a!, b!, c!])
  const messages = await sendMany(store, group.id, a!, 3)
  const change = (memberId: string, status: 'DELIVERED' | 'READ', upToSeq: number, at: number): WatermarkChange => ({
    conversationId: group.id,
    memberId,
    status,
    upToSeq,
    at,
  })
  return { a: a!, b: b!, c: c!, group, messages: messages as [Message, Message, Message], change }
}

export function watermarkContract(make: StoreFactory): void {
  describe('advanceWatermark', () => {
    const store = sharedStore(make)

    it('moves the watermark and the receipts up to it', async () => {
      const { b, c, group, messages, change } = await routed(store())
      const [m1, m2, m3] = messages
      expect(await store().advanceWatermark(change(b, 'DELIVERED', 2, T0 + 10))).toEqual(change(b, 'DELIVERED', 2, T0 + 10))
      expect(await store().getMember(group.id, b)).toMatchObject({ deliveredUpToSeq: 2, readUpToSeq: 0 })
      expect(await receiptOf(store(), m1, b)).toEqual({ memberId: b, status: 'DELIVERED', deliveredAt: T0 + 10, readAt: null })
      expect(await receiptOf(store(), m2, b)).toMatchObject({ status: 'DELIVERED' })
      expect(await receiptOf(store(), m3, b)).toMatchObject({ status: 'SENT', deliveredAt: null })
      expect(await receiptOf(store(), m1, c)).toMatchObject({ status: 'SENT' })
    })

    it('lets READ imply DELIVERED, and never changes a timestamp once set', async () => {
      const { b, group, messages, change } = await routed(store())
      const [m1, , m3] = messages
      await store().advanceWatermark(change(b, 'DELIVERED', 1, T0 + 10))
      expect(await store().advanceWatermark(change(b, 'READ', 3, T0 + 20))).toEqual(change(b, 'READ', 3, T0 + 20))
      expect(await store().getMember(group.id, b)).toMatchObject({ deliveredUpToSeq: 3, readUpToSeq: 3 })
      expect(await receiptOf(store(), m1, b)).toEqual({ memberId: b, status: 'READ', deliveredAt: T0 + 10, readAt: T0 + 20 })
      expect(await receiptOf(store(), m3, b)).toEqual({ memberId: b, status: 'READ', deliveredAt: T0 + 20, readAt: T0 + 20 })
    })

    it('only moves forward: a lower, equal or weaker status is a no-op', async () => {
      const { b, group, messages, change } = await routed(store())
      await store().advanceWatermark(change(b, 'READ', 2, T0 + 10))
      const member = await store().getMember(group.id, b)
      const receipt = await receiptOf(store(), messages[0], b)
      expect(await store().advanceWatermark(change(b, 'READ', 2, T0 + 11))).toBeUndefined()
      expect(await store().advanceWatermark(change(b, 'READ', 1, T0 + 12))).toBeUndefined()
      expect(await store().advanceWatermark(change(b, 'DELIVERED', 2, T0 + 13))).toBeUndefined()
      expect(await store().advanceWatermark(change(b, 'DELIVERED', 1, T0 + 14))).toBeUndefined()
      expect(await store().advanceWatermark(change(b, 'READ', 0, T0 + 15))).toBeUndefined()
      expect(await store().getMember(group.id, b)).toEqual(member)
      expect(await receiptOf(store(), messages[0], b)).toEqual(receipt)
      // DELIVERED beyond the read watermark still moves delivery, not reading.
      expect(await store().advanceWatermark(change(b, 'DELIVERED', 3, T0 + 16))).toBeDefined()
      expect(await store().getMember(group.id, b)).toMatchObject({ deliveredUpToSeq: 3, readUpToSeq: 2 })
    })

    it('clamps to the conversation’s last seq', async () => {
      const { b, group, change } = await routed(store())
      expect(await store().advanceWatermark(change(b, 'READ', 1_000, T0 + 10))).toEqual(change(b, 'READ', 3, T0 + 10))
      expect(await store().getMember(group.id, b)).toMatchObject({ deliveredUpToSeq: 3, readUpToSeq: 3 })
      expect(await store().advanceWatermark(change(b, 'READ', 2_000, T0 + 11))).toBeUndefined()
    })

    it('does nothing for someone who is not a member', async () => {
      const { change } = await routed(store())
      expect(await store().advanceWatermark(change(uid('stranger'), 'READ', 2, T0 + 10))).toBeUndefined()
    })

    it('ends at the highest of several concurrent advances', async () => {
      const { b, group, change } = await routed(store())
      const results = await Promise.all([1, 3, 2, 3, 1].map((seq, i) => store().advanceWatermark(change(b, 'READ', seq, T0 + i))))
      expect(results.some((r) => r?.upToSeq === 3)).toBe(true)
      expect(await store().getMember(group.id, b)).toMatchObject({ deliveredUpToSeq: 3, readUpToSeq: 3 })
    })
    it('moves each of many members’ watermarks when they all acknowledge at once', async () => {
      const [sender, ...readers] = ids(40)
      const group = await createGroup(store(), [sender!, ...readers.map((id) => id!)])
      const [, second] = await sendMany(store(), group.id, sender!, 2)
      const changes = readers.map((id, i) => ({
        conversationId: group.id,
        memberId: id!,
        status: i % 2 === 0 ? ('DELIVERED' as const) : ('READ' as const),
        upToSeq: 2,
        at: T0 + i,
      }))
      const results = await Promise.all(changes.map((change) => store().advanceWatermark(change)))
      expect(results).toEqual(changes)
      const receipts = await store().getReceipts(second!.id)
      expect(receipts).toHaveLength(39)
      for (const [i, id] of readers.entries()) {
        const receipt = receipts.find((r) => r.memberId === id)
        expect(receipt).toEqual(
          i % 2 === 0
            ? { memberId: id, status: 'DELIVERED', deliveredAt: T0 + i, readAt: null }
            : { memberId: id, status: 'READ', deliveredAt: T0 + i, readAt: T0 + i },
        )
      }
      const events = (await drainAll(store())).filter((e) => e.event.type === 'message.status' && e.event.conversationId === group.id)
      expect(events).toHaveLength(39)
    })
  })

  describe('the sender’s own watermarks', () => {
    const store = sharedStore(make)
    const marks = async (conversationId: string, memberId: string) => {
      const m = await store().getMember(conversationId, memberId)
      return [m?.deliveredUpToSeq, m?.readUpToSeq]
    }

    it('move forward with their own messages, with no outbox event', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      await drainAll(store())
      await sendMany(store(), group.id, a!, 3)
      expect(await marks(group.id, a!)).toEqual([3, 3])
      expect(await marks(group.id, b!), 'the recipient still has to acknowledge').toEqual([0, 0])
      const types = (await drainAll(store())).filter((e) => e.event.conversationId === group.id).map((e) => e.event.type)
      expect(types).toEqual(['message.created', 'message.created', 'message.created'])
    })

    it('never pass a message of someone else the sender has not acknowledged', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      await sendMany(store(), group.id, a!, 2) // 1, 2
      await send(store(), group.id, b!) // 3: a has not seen it
      await send(store(), group.id, a!) // 4
      expect(await marks(group.id, a!)).toEqual([2, 2])
      expect(await marks(group.id, b!), 'b stops before a’s unacknowledged 1').toEqual([0, 0])
      await store().advanceWatermark({ conversationId: group.id, memberId: a!, status: 'DELIVERED', upToSeq: 3, at: T0 })
      await send(store(), group.id, a!) // 5: everything from 4 on is a's own
      expect(await marks(group.id, a!), 'delivered runs over a’s own 4 and 5; read still stops at b’s 3').toEqual([5, 2])
      await store().advanceWatermark({ conversationId: group.id, memberId: a!, status: 'READ', upToSeq: 3, at: T0 })
      await send(store(), group.id, a!) // 6
      expect(await marks(group.id, a!)).toEqual([6, 6])
    })

    it('leave receipts of others’ messages to the recipient’s own acknowledgement', async () => {
      const { a, b, group, messages, change } = await routed(store())
      await send(store(), group.id, b!) // 4: b never acknowledged a's 1–3
      expect(await marks(group.id, b)).toEqual([0, 0])
      expect(await receiptOf(store(), messages[0], b)).toMatchObject({ status: 'SENT' })
      // b's acknowledgement still moves the watermark over a's messages and their receipts.
      expect(await store().advanceWatermark(change(b, 'READ', 4, T0 + 10))).toEqual(change(b, 'READ', 4, T0 + 10))
      expect(await receiptOf(store(), messages[2], b)).toMatchObject({ status: 'READ' })
      expect(await marks(group.id, a)).toEqual([3, 3])
    })

    it('count only what the sender can see: a late joiner starts after its join', async () => {
      const [owner, late] = ids(2)
      const group = await createGroup(store(), [owner!])
      await sendMany(store(), group.id, owner!, 3)
      await store().addMembers(group.id, [member(late!)], { maxMembers: 10, now: T0 })
      await send(store(), group.id, late!) // 4
      expect(await marks(group.id, late!)).toEqual([4, 4])
    })

    it('follow a batch of interleaved senders', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      // Appended without waiting: one batch holding a 1, a 2, b 3, a 4.
      await Promise.all([a, a, b, a].map((sender) => store().appendMessage(newMessage(group.id, sender!))))
      expect(await marks(group.id, a!)).toEqual([2, 2])
      expect(await marks(group.id, b!)).toEqual([0, 0])
    })
  })

  describe('markMessageRead', () => {
    const store = sharedStore(make)

    it('marks one message READ and DELIVERED for one recipient, once', async () => {
      const { a, b, c, group, messages } = await routed(store())
      const [m1, m2] = messages
      expect(await store().markMessageRead(m2.id, b, T0 + 10)).toBe(true)
      expect(await receiptOf(store(), m2, b)).toEqual({ memberId: b, status: 'READ', deliveredAt: T0 + 10, readAt: T0 + 10 })
      expect(await receiptOf(store(), m1, b)).toMatchObject({ status: 'SENT' })
      expect(await receiptOf(store(), m2, c)).toMatchObject({ status: 'SENT' })
      expect(await store().getMember(group.id, b)).toMatchObject({ readUpToSeq: 0 })
      expect(await store().markMessageRead(m2.id, b, T0 + 20)).toBe(false)
      expect((await receiptOf(store(), m2, b))?.readAt).toBe(T0 + 10)
      expect(await store().markMessageRead(m2.id, a, T0 + 20)).toBe(false)
      expect(await store().markMessageRead(m2.id, uid('stranger'), T0 + 20)).toBe(false)
      expect(await store().markMessageRead(uid('missing'), b, T0 + 20)).toBe(false)
    })

    it('keeps an earlier delivery time', async () => {
      const { b, messages, change } = await routed(store())
      await store().advanceWatermark(change(b, 'DELIVERED', 3, T0 + 10))
      expect(await store().markMessageRead(messages[2].id, b, T0 + 20)).toBe(true)
      expect(await receiptOf(store(), messages[2], b)).toEqual({ memberId: b, status: 'READ', deliveredAt: T0 + 10, readAt: T0 + 20 })
    })

    it('is a no-op once a READ watermark covered the message', async () => {
      const { b, messages, change } = await routed(store())
      await store().advanceWatermark(change(b, 'READ', 2, T0 + 10))
      expect(await store().markMessageRead(messages[0].id, b, T0 + 20)).toBe(false)
      expect((await receiptOf(store(), messages[0], b))?.readAt).toBe(T0 + 10)
    })

    it('works on a message nobody acknowledged yet', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      const [message] = await sendMany(store(), group.id, a!, 1)
      expect(await store().markMessageRead(message!.id, b!, T0 + 10)).toBe(true)
      expect(await store().getReceipts(message!.id)).toEqual([{ memberId: b, status: 'READ', deliveredAt: T0 + 10, readAt: T0 + 10 }])
    })
  })
}
