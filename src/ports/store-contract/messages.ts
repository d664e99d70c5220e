/** @module Store contract: accepting messages (seq, idempotency, concurrency) and reading history. */
import { describe, expect, it } from 'vitest'
import type { Message } from '../../core/model.js'
import {
  T0,
  createGroup,
  ids,
  newMessage,
  range,
  send,
  sendMany,
  sharedStore,
  uid,
  type StoreFactory,
  drainAll,
  messageOf,
} from './harness.js'

const seqs = (messages: readonly Message[]) => messages.map((m) => m.seq)

export function messageContract(make: StoreFactory): void {
  describe('appendMessage', () => {
    const store = sharedStore(make)

    it('assigns seq 1, 2, 3 … and stores the message as given', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      const first = newMessage(group.id, a!, {
        payload: { type: 'file', file_id: uid('f'), text: 'caption ✓' },
        metadata: { client: 'test', n: [1, 2] },
        createdAt: T0 + 100,
      })
      const created = await store().appendMessage(first)
      expect(created).toEqual({ kind: 'created', message: { ...first, seq: 1 } })
      expect(await store().getMessage(first.id)).toEqual({ ...first, seq: 1 })
      expect((await send(store(), group.id, b!, { createdAt: T0 + 101 })).seq).toBe(2)
      expect((await send(store(), group.id, a!, { createdAt: T0 + 102 })).seq).toBe(3)
      expect(await store().getConversation(group.id)).toMatchObject({ lastSeq: 3, lastActivityAt: T0 + 102 })
      expect(await store().getMessage(uid('missing'))).toBeUndefined()
    })

    it('numbers each conversation on its own', async () => {
      const [a] = ids(1)
      const g1 = await createGroup(store(), [a!])
      const g2 = await createGroup(store(), [a!])
      await sendMany(store(), g1.id, a!, 3)
      expect((await send(store(), g2.id, a!)).seq).toBe(1)
    })

    it('returns the original for a repeated id with the same body, and writes nothing', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      const original = await send(store(), group.id, a!, { createdAt: T0 + 200 })
      await send(store(), group.id, a!)
      const retry = await store().appendMessage({ ...original, createdAt: T0 + 999 })
      expect(retry).toEqual({ kind: 'duplicate', message: original })
      expect((await store().getConversation(group.id))?.lastSeq).toBe(2)
      expect((await store().listMessages(group.id, { limit: 10 })).messages).toHaveLength(2)
    })

    it('reports a conflict for a repeated id with another body, and writes nothing', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      const original = await send(store(), group.id, a!)
      const other = newMessage(group.id, a!, {
        id: original.id,
        bodyHash: 'another-hash',
        payload: { type: 'text', text: 'changed' },
      })
      expect(await store().appendMessage(other)).toEqual({ kind: 'conflict', message: original })
      expect(await store().getMessage(original.id)).toEqual(original)
      expect((await store().getConversation(group.id))?.lastSeq).toBe(1)
    })

    it('creates a message exactly once when 100 appends of the same id race', async () => {
      const [a] = ids(1)
      const group = await createGroup(store(), [a!])
      const message = newMessage(group.id, a!)
      const results = await Promise.all(Array.from({ length: 100 }, () => store().appendMessage(message)))
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(1)
      expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(99)
      for (const r of results) expect(messageOf(r)).toEqual({ ...message, seq: 1 })
      expect((await store().getConversation(group.id))?.lastSeq).toBe(1)
    })

    it('keeps seqs gap-free and unique when 500 appends race across 5 conversations', async () => {
      const [a, b] = ids(2)
      const groups = await Promise.all(range(5).map(() => createGroup(store(), [a!, b!])))
      const results = await Promise.all(
        range(500).map((i) => store().appendMessage(newMessage(groups[i % 5]!.id, i % 3 ? a! : b!))),
      )
      expect(results.every((r) => r.kind === 'created')).toBe(true)
      for (const group of groups) {
        const mine = results.map(messageOf).filter((m) => m.conversationId === group.id).map((m) => m.seq)
        expect(mine.sort((x, y) => x - y), `seqs of ${group.id}`).toEqual(range(100))
        const stored = await store().listMessages(group.id, { afterSeq: 0, limit: 1_000 })
        expect(seqs(stored.messages)).toEqual(range(100))
        expect((await store().getConversation(group.id))?.lastSeq).toBe(100)
      }
    })

    it('numbers appends made without waiting in call order, per conversation', async () => {
      const [a, b] = ids(2)
      const groups = await Promise.all([createGroup(store(), [a!, b!]), createGroup(store(), [a!, b!])])
      // Enough to span several batches written at once where the engine allows it; two rounds,
      // since a pool's first connections tend to come up in order.
      for (let round = 1; round <= 2; round++) {
        const messages = range(2_000).map((i) => newMessage(groups[i % 2]!.id, i % 3 ? a! : b!))
        const results = await Promise.all(messages.map((m) => store().appendMessage(m)))
        for (const group of groups) {
          const mine = results.map(messageOf).filter((m) => m.conversationId === group.id)
          expect(mine.map((m) => m.seq), `seqs of ${group.id} in call order`).toEqual(range(1_000).map((n) => n + (round - 1) * 1_000))
        }
      }
    })

    it('refuses a missing conversation or a non-member sender without failing its neighbours', async () => {
      const [a, outsider] = ids(2)
      const group = await createGroup(store(), [a!])
      const outcomes = await Promise.all([
        store().appendMessage(newMessage(group.id, a!)),
        store().appendMessage(newMessage(uid('missing'), a!)),
        store().appendMessage(newMessage(group.id, outsider!)),
        store().appendMessage(newMessage(group.id, a!)),
      ])
      expect(outcomes.map((o) => o.kind)).toEqual(['created', 'not_found', 'not_found', 'created'])
      expect(seqs((await store().listMessages(group.id, { limit: 10 })).messages)).toEqual([1, 2])
      const events = (await drainAll(store())).filter(
        (e) => e.event.type === 'message.created' && e.event.conversationId === group.id,
      )
      expect(events, 'one event per accepted message, none for the refused one').toHaveLength(2)
    })
  })

  describe('listMessages', () => {
    const store = sharedStore(make)
    let conversationId = ''
    const history = async () => {
      if (conversationId) return conversationId
      const [a, b] = ids(2)
      const group = await createGroup(store(), [a!, b!])
      const other = await createGroup(store(), [a!, b!])
      for (let i = 0; i < 10; i++) {
        await send(store(), group.id, i % 2 ? a! : b!)
        await send(store(), other.id, a!)
      }
      conversationId = group.id
      return conversationId
    }

    it('gives the newest page by default, oldest first', async () => {
      const page = await store().listMessages(await history(), { limit: 3 })
      expect(seqs(page.messages)).toEqual([8, 9, 10])
      expect(page.hasMore).toBe(true)
      expect(page.messages.every((m) => m.conversationId === conversationId)).toBe(true)
      const all = await store().listMessages(conversationId, { limit: 10 })
      expect(seqs(all.messages)).toEqual(range(10))
      expect(all.hasMore).toBe(false)
    })

    it('pages backward from beforeSeq', async () => {
      const id = await history()
      expect(await store().listMessages(id, { beforeSeq: 8, limit: 3 })).toMatchObject({ hasMore: true })
      expect(seqs((await store().listMessages(id, { beforeSeq: 8, limit: 3 })).messages)).toEqual([5, 6, 7])
      const first = await store().listMessages(id, { beforeSeq: 3, limit: 5 })
      expect(seqs(first.messages)).toEqual([1, 2])
      expect(first.hasMore).toBe(false)
      expect(await store().listMessages(id, { beforeSeq: 1, limit: 5 })).toEqual({ messages: [], hasMore: false })
    })

    it('pages forward from afterSeq', async () => {
      const id = await history()
      const start = await store().listMessages(id, { afterSeq: 0, limit: 4 })
      expect(seqs(start.messages)).toEqual([1, 2, 3, 4])
      expect(start.hasMore).toBe(true)
      const end = await store().listMessages(id, { afterSeq: 7, limit: 3 })
      expect(seqs(end.messages)).toEqual([8, 9, 10])
      expect(end.hasMore).toBe(false)
      expect(await store().listMessages(id, { afterSeq: 10, limit: 3 })).toEqual({ messages: [], hasMore: false })
    })

    it('gives an empty page for a conversation without messages', async () => {
      const group = await createGroup(store(), ids(1))
      expect(await store().listMessages(group.id, { limit: 5 })).toEqual({ messages: [], hasMore: false })
      expect(await store().listMessages(group.id, { afterSeq: 0, limit: 5 })).toEqual({ messages: [], hasMore: false })
    })
  })
}
