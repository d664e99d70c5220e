/** @module Store contract: per-recipient receipts and the aggregated status of messages. */
import { describe, expect, it } from 'vitest'
import type { Receipt } from '../../core/model.js'
import { T0, createGroup, ids, member, send, sendMany, sharedStore, uid, type StoreFactory } from './harness.js'

const sent = (memberId: string): Receipt => ({ memberId, status: 'SENT', deliveredAt: null, readAt: null })
const byMember = (receipts: readonly Receipt[]) => [...receipts].sort((x, y) => x.memberId.localeCompare(y.memberId))

export function receiptContract(make: StoreFactory): void {
  describe('receipts', () => {
    const store = sharedStore(make)

    it('has one SENT receipt per recipient from the moment the message is accepted', async () => {
      const [a, b, c] = ids(3)
      const group = await createGroup(store(), [a!, b!, c!])
      const message = await send(store(), group.id, a!)
      expect(byMember(await store().getReceipts(message.id))).toEqual(byMember([sent(b!), sent(c!)]))
      expect(await store().getReceipts(uid('missing'))).toEqual([])
    })

    it('follows the recipients’ watermarks, with the time of the advance that covered each message', async () => {
      const [a, delivered, read, none] = ids(4)
      const group = await createGroup(store(), [a!, delivered!, read!, none!])
      const [m1, m2, m3] = await sendMany(store(), group.id, a!, 3)
      await store().advanceWatermark({ conversationId: group.id, memberId: delivered!, status: 'DELIVERED', upToSeq: 1, at: T0 + 10 })
      await store().advanceWatermark({ conversationId: group.id, memberId: delivered!, status: 'DELIVERED', upToSeq: 2, at: T0 + 12 })
      await store().advanceWatermark({ conversationId: group.id, memberId: read!, status: 'READ', upToSeq: 2, at: T0 + 11 })
      const of = async (id: string) => byMember(await store().getReceipts(id))
      expect(await of(m1!.id)).toEqual(
        byMember([
          { memberId: delivered!, status: 'DELIVERED', deliveredAt: T0 + 10, readAt: null },
          { memberId: read!, status: 'READ', deliveredAt: T0 + 11, readAt: T0 + 11 },
          sent(none!),
        ]),
      )
      expect(await of(m2!.id)).toEqual(
        byMember([
          { memberId: delivered!, status: 'DELIVERED', deliveredAt: T0 + 12, readAt: null },
          { memberId: read!, status: 'READ', deliveredAt: T0 + 11, readAt: T0 + 11 },
          sent(none!),
        ]),
      )
      expect(await of(m3!.id)).toEqual(byMember([sent(delivered!), sent(read!), sent(none!)]))
    })

    it('counts only members who had joined before the message and are still members', async () => {
      const [a, stays, leaves, late] = ids(4)
      const group = await createGroup(store(), [a!, stays!, leaves!])
      const early = await send(store(), group.id, a!)
      await store().addMembers(group.id, [member(late!)], { maxMembers: 10, now: T0 + 20 })
      await store().removeMember(group.id, leaves!, T0 + 21)
      const after = await send(store(), group.id, a!)
      expect((await store().getReceipts(early.id)).map((r) => r.memberId)).toEqual([stays])
      expect((await store().getReceipts(after.id)).map((r) => r.memberId).sort()).toEqual([stays, late].sort())
    })

    it('aggregates the least advanced recipient status per message', async () => {
      const [a, b, c] = ids(3)
      const group = await createGroup(store(), [a!, b!, c!])
      const [m1, m2, m3] = await sendMany(store(), group.id, a!, 3)
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'READ', upToSeq: 2, at: T0 + 30 })
      await store().advanceWatermark({ conversationId: group.id, memberId: c!, status: 'DELIVERED', upToSeq: 1, at: T0 + 31 })
      const missing = uid('missing')
      const statuses = await store().aggregateStatuses([m1!.id, m2!.id, m3!.id, missing])
      expect(Object.fromEntries(statuses)).toEqual({
        [m1!.id]: 'DELIVERED',
        [m2!.id]: 'SENT',
        [m3!.id]: 'SENT',
        [missing]: 'SENT',
      })
      await store().advanceWatermark({ conversationId: group.id, memberId: c!, status: 'READ', upToSeq: 1, at: T0 + 32 })
      expect((await store().aggregateStatuses([m1!.id])).get(m1!.id)).toBe('READ')
      expect((await store().aggregateStatuses([])).size).toBe(0)
    })

    it('reports SENT for a message without recipients', async () => {
      const [alone] = ids(1)
      const group = await createGroup(store(), [alone!])
      const message = await send(store(), group.id, alone!)
      expect(await store().getReceipts(message.id)).toEqual([])
      expect((await store().aggregateStatuses([message.id])).get(message.id)).toBe('SENT')
    })

    it('does not report READ when one recipient read a message the others have not received', async () => {
      const [a, b, c] = ids(3)
      const group = await createGroup(store(), [a!, b!, c!])
      const message = await send(store(), group.id, a!)
      expect(await store().markMessageRead(message.id, b!, T0 + 40)).toBe(true)
      expect((await store().aggregateStatuses([message.id])).get(message.id)).toBe('SENT')
      expect(await store().markMessageRead(message.id, c!, T0 + 41)).toBe(true)
      expect((await store().aggregateStatuses([message.id])).get(message.id)).toBe('READ')
    })

    it('combines a message read out of order with a later watermark: the earliest time of each wins', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      const [m1, m2] = await sendMany(store(), group.id, a!, 2)
      expect(await store().markMessageRead(m2!.id, b!, T0 + 10)).toBe(true)
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'DELIVERED', upToSeq: 2, at: T0 + 20 })
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'READ', upToSeq: 2, at: T0 + 30 })
      expect(await store().getReceipts(m2!.id)).toEqual([{ memberId: b, status: 'READ', deliveredAt: T0 + 10, readAt: T0 + 10 }])
      expect(await store().getReceipts(m1!.id)).toEqual([{ memberId: b, status: 'READ', deliveredAt: T0 + 20, readAt: T0 + 30 }])
    })

    it('keeps receipts exact in a large group without a row per recipient', async () => {
      const [sender, ...rest] = ids(60)
      const group = await createGroup(store(), [sender!, ...rest.map((id) => id!)])
      const messages = await sendMany(store(), group.id, sender!, 5)
      // Half the group acknowledges up to the third message, one reads everything.
      for (const [i, id] of rest.entries()) {
        if (i % 2 === 0) await store().advanceWatermark({ conversationId: group.id, memberId: id!, status: 'DELIVERED', upToSeq: 3, at: T0 + i })
      }
      await store().advanceWatermark({ conversationId: group.id, memberId: rest[1]!, status: 'READ', upToSeq: 5, at: T0 + 100 })
      for (const [index, message] of messages.entries()) {
        const receipts = await store().getReceipts(message.id)
        expect(receipts).toHaveLength(59)
        const counts: Record<string, number> = { SENT: 0, DELIVERED: 0, READ: 0 }
        for (const r of receipts) counts[r.status] = (counts[r.status] ?? 0) + 1
        const deliveredByAck = index < 3 ? 30 : 0
        expect(counts).toEqual({ SENT: 59 - deliveredByAck - 1, DELIVERED: deliveredByAck, READ: 1 })
      }
    })
  })
}
