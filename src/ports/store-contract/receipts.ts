/** @module Store contract: per-recipient receipts and the aggregated status of messages. */
import { describe, expect, it } from 'vitest'
import type { Receipt } from '../../core/model.js'
import { T0, createGroup, createdEvent, ids, member, send, sendMany, sharedStore, uid, type StoreFactory } from './harness.js'

const sent = (memberId: string): Receipt => ({ memberId, status: 'SENT', deliveredAt: null, readAt: null })
const byMember = (receipts: readonly Receipt[]) => [...receipts].sort((x, y) => x.memberId.localeCompare(y.memberId))

export function receiptContract(make: StoreFactory): void {
  describe('receipts', () => {
    const store = sharedStore(make)

    it('materializes one SENT receipt per recipient, idempotently', async () => {
      const [a, b, c] = ids(3)
      const group = await createGroup(store(), [a!, b!, c!])
      const message = await send(store(), group.id, a!)
      expect(await store().getReceipts(message.id)).toEqual([])
      await store().materializeReceipts([createdEvent(message)])
      const receipts = byMember(await store().getReceipts(message.id))
      expect(receipts).toEqual(byMember([sent(b!), sent(c!)]))
      await store().materializeReceipts([createdEvent(message), createdEvent(message)])
      expect(byMember(await store().getReceipts(message.id))).toEqual(receipts)
      expect(await store().materializeReceipts([])).toBeUndefined()
    })

    it('starts receipts as far as the recipients’ watermarks already are', async () => {
      const [a, delivered, read, none] = ids(4)
      const group = await createGroup(store(), [a!, delivered!, read!, none!])
      const [m1, m2, m3] = await sendMany(store(), group.id, a!, 3)
      await store().advanceWatermark({ conversationId: group.id, memberId: delivered!, status: 'DELIVERED', upToSeq: 2, at: T0 + 10 })
      await store().advanceWatermark({ conversationId: group.id, memberId: read!, status: 'READ', upToSeq: 2, at: T0 + 11 })
      await store().materializeReceipts([m1!, m2!, m3!].map(createdEvent))
      const at = (receipts: readonly Receipt[], id: string) => receipts.find((r) => r.memberId === id)
      for (const m of [m1!, m2!]) {
        const receipts = await store().getReceipts(m.id)
        expect(receipts).toHaveLength(3)
        expect(at(receipts, delivered!)).toMatchObject({ status: 'DELIVERED', readAt: null })
        expect(at(receipts, delivered!)?.deliveredAt).toEqual(expect.any(Number))
        expect(at(receipts, read!)).toMatchObject({ status: 'READ' })
        expect(at(receipts, read!)?.deliveredAt).toEqual(expect.any(Number))
        expect(at(receipts, read!)?.readAt).toEqual(expect.any(Number))
        expect(at(receipts, none!)).toEqual(sent(none!))
      }
      expect(byMember(await store().getReceipts(m3!.id))).toEqual(byMember([sent(delivered!), sent(read!), sent(none!)]))
      // Materializing again changes nothing, timestamps included.
      const before = byMember(await store().getReceipts(m1!.id))
      await store().materializeReceipts([createdEvent(m1!)])
      expect(byMember(await store().getReceipts(m1!.id))).toEqual(before)
    })

    it('gives no receipt to members who joined after the message or left before routing', async () => {
      const [a, stays, leaves, late] = ids(4)
      const group = await createGroup(store(), [a!, stays!, leaves!])
      const early = await send(store(), group.id, a!)
      await store().addMembers(group.id, [member(late!)], { maxMembers: 10, now: T0 + 20 })
      await store().removeMember(group.id, leaves!, T0 + 21)
      const after = await send(store(), group.id, a!)
      await store().materializeReceipts([createdEvent(early), createdEvent(after)])
      expect((await store().getReceipts(early.id)).map((r) => r.memberId)).toEqual([stays])
      expect((await store().getReceipts(after.id)).map((r) => r.memberId).sort()).toEqual([stays, late].sort())
    })

    it('aggregates the least advanced recipient status per message', async () => {
      const [a, b, c] = ids(3)
      const group = await createGroup(store(), [a!, b!, c!])
      const [m1, m2, m3] = await sendMany(store(), group.id, a!, 3)
      const unrouted = await send(store(), group.id, a!)
      await store().materializeReceipts([m1!, m2!, m3!].map(createdEvent))
      await store().advanceWatermark({ conversationId: group.id, memberId: b!, status: 'READ', upToSeq: 2, at: T0 + 30 })
      await store().advanceWatermark({ conversationId: group.id, memberId: c!, status: 'DELIVERED', upToSeq: 1, at: T0 + 31 })
      const missing = uid('missing')
      const statuses = await store().aggregateStatuses([m1!.id, m2!.id, m3!.id, unrouted.id, missing])
      expect(Object.fromEntries(statuses)).toEqual({
        [m1!.id]: 'DELIVERED',
        [m2!.id]: 'SENT',
        [m3!.id]: 'SENT',
        [unrouted.id]: 'SENT',
        [missing]: 'SENT',
      })
      await store().advanceWatermark({ conversationId: group.id, memberId: c!, status: 'READ', upToSeq: 1, at: T0 + 32 })
      expect((await store().aggregateStatuses([m1!.id])).get(m1!.id)).toBe('READ')
      expect((await store().aggregateStatuses([])).size).toBe(0)
    })

    it('does not report READ when one recipient read a message the others have not received', async () => {
      const [a, b, c] = ids(3)
      const group = await createGroup(store(), [a!, b!, c!])
      const message = await send(store(), group.id, a!)
      expect(await store().markMessageRead(message.id, b!, T0 + 40)).toBe(true)
      expect((await store().aggregateStatuses([message.id])).get(message.id)).toBe('SENT')
      await store().materializeReceipts([createdEvent(message)])
      expect((await store().aggregateStatuses([message.id])).get(message.id)).toBe('SENT')
      expect(await store().markMessageRead(message.id, c!, T0 + 41)).toBe(true)
      expect((await store().aggregateStatuses([message.id])).get(message.id)).toBe('READ')
    })
  })
}
