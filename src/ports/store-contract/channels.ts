/** @module Store contract: channel delivery rows (seq order per recipient, retries, failure) and platform statuses, forward only. */
import { describe, expect, it } from 'vitest'
import type { Message } from '../../core/model.js'
import type { ChannelDeliveryDraft } from '../channel-store.js'
import { T0, createGroup, drainAll, freshStore, send, uid, type StoreFactory } from './harness.js'
import type { Store } from '../store.js'

const claim = (store: Store, now = T0 + 10_000) => store.claimChannelDeliveries({ now, limit: 100, leaseMs: 30_000, channels: ['whatsapp'] })

export function channelContract(make: StoreFactory): void {
  describe('channel deliveries', () => {
    const store = freshStore(make)

    /** A group with one user and one WhatsApp contact, `count` messages from the user. */
    async function setup(count: number): Promise<{ address: string; messages: Message[]; drafts: ChannelDeliveryDraft[] }> {
      const sender = uid('u')
      const address = `whatsapp:+55119${Math.floor(Math.random() * 1e8)}`
      const group = await createGroup(store(), [sender], {})
      await store().addMembers(group.id, [{ kind: 'external', id: address, role: 'member' }], { maxMembers: 100, now: T0 })
      const messages: Message[] = []
      for (let i = 0; i < count; i++) messages.push(await send(store(), group.id, sender, { createdAt: T0 + 1_000 + i }))
      const drafts = messages.map((m) => ({ messageId: m.id, conversationId: group.id, seq: m.seq, address, channel: 'whatsapp', account: 'acct' }))
      return { address, messages, drafts }
    }

    const receiptOf = async (messageId: string, address: string) => (await store().getReceipts(messageId)).find((r) => r.memberId === address)

    it('queues once per (message, address) and hands out only the head of each recipient queue', async () => {
      const { drafts } = await setup(2)
      expect(await store().queueChannelDeliveries(drafts, 'evt-1', T0)).toBe(2)
      expect(await store().queueChannelDeliveries(drafts, 'evt-1', T0)).toBe(0)
      const first = await claim(store())
      expect(first.map((d) => d.seq)).toEqual([drafts[0]!.seq])
      expect(await claim(store()), 'leased, and the next waits behind it').toEqual([])
      await store().recordChannelRetry(first[0]!.id, { attempts: 1, nextAttemptAt: T0 + 20_000, error: 'timeout' })
      expect(await claim(store()), 'a retry holds back later messages').toEqual([])
      const again = await claim(store(), T0 + 20_000)
      expect(again.map((d) => [d.seq, d.attempts])).toEqual([[drafts[0]!.seq, 1]])
      await store().recordChannelSent(again[0]!.id, { platformMessageId: 'wamid.1', status: 'SENT', at: T0 + 20_001 })
      expect((await claim(store(), T0 + 20_002)).map((d) => d.seq)).toEqual([drafts[1]!.seq])
    })

    it('hands each recipient queue on in seq order while later messages join it, whatever commits first', async () => {
      const { drafts } = await setup(12)
      await store().queueChannelDeliveries(drafts.slice(0, 1), 'evt-0', T0)
      for (let i = 0; i < 11; i++) {
        const [head, ...rest] = await claim(store(), T0 + 10_000 + i)
        expect(rest, 'one head per recipient').toEqual([])
        expect(head?.seq).toBe(drafts[i]!.seq)
        // The next message joins the queue while the head's send is recorded: the two race (PostgreSQL).
        const ending =
          i % 3 === 2
            ? store().recordChannelFailed(head!.id, {
                attempts: 1,
                reason: 'bad_recipient',
                at: T0 + 10_000 + i,
                deadLetter: { id: uid('dl'), group: 'channels', event: { id: `evt-${i}`, createdAt: T0, event: { type: 'member.left', conversationId: head!.conversationId, memberId: head!.address, at: T0 } }, error: 'x', attempts: 1, at: T0 },
              })
            : store().recordChannelSent(head!.id, { platformMessageId: `wamid.q${i}`, status: 'SENT', at: T0 + 10_000 + i })
        await Promise.all([ending, store().queueChannelDeliveries(drafts.slice(i + 1, i + 2), `evt-${i + 1}`, T0 + 10_000 + i)])
      }
      expect((await claim(store(), T0 + 20_000)).map((d) => d.seq)).toEqual([drafts[11]!.seq])
    })

    it('hands out the head of every recipient queue at once, however deep the queues', async () => {
      const queues = [await setup(3), await setup(3), await setup(3)]
      for (const { drafts } of queues) await store().queueChannelDeliveries(drafts, 'evt-deep', T0)
      const heads = await claim(store())
      expect(heads.map((d) => d.seq).sort()).toEqual(queues.map(({ drafts }) => drafts[0]!.seq).sort())
      expect(new Set(heads.map((d) => d.address)).size).toBe(3)
    })

    it('moves receipts forward only, once per callback, with message.status events', async () => {
      const { address, messages, drafts } = await setup(1)
      await store().queueChannelDeliveries(drafts, 'evt-1', T0)
      const [delivery] = await claim(store())
      await drainAll(store())
      await store().recordChannelSent(delivery!.id, { platformMessageId: 'wamid.A', status: 'SENT', at: T0 + 1 })
      const status = (eventId: string, s: 'DELIVERED' | 'READ' | 'FAILED', at: number) =>
        store().applyChannelStatus({ channel: 'whatsapp', account: 'acct', eventId, address, status: s, target: { kind: 'message', platformMessageId: 'wamid.A' }, at })
      expect(await status('read-1', 'READ', T0 + 3)).toBe(1)
      expect(await status('read-1', 'READ', T0 + 3), 'a duplicate').toBe(0)
      expect(await status('delivered-1', 'DELIVERED', T0 + 2), 'late').toBe(0)
      expect(await status('failed-1', 'FAILED', T0 + 4), 'failed after read').toBe(0)
      expect(await receiptOf(messages[0]!.id, address)).toMatchObject({ status: 'READ', readAt: T0 + 3 })
      const events = (await drainAll(store())).map((e) => e.event)
      expect(events).toEqual([
        expect.objectContaining({ type: 'message.status', memberId: address, status: 'SENT', messageId: messages[0]!.id }),
        expect.objectContaining({ type: 'message.status', memberId: address, status: 'READ', messageId: messages[0]!.id }),
      ])
    })

    it('knows when channel routing began: when the store got its channel tables', async () => {
      const since = await store().channelRoutingSince()
      expect(since).toBeGreaterThan(Date.now() - 10 * 60_000)
      expect(since).toBeLessThanOrEqual(Date.now() + 1_000)
    })

    it('keeps a status that arrives before its send is recorded', async () => {
      const { address, messages, drafts } = await setup(1)
      await store().queueChannelDeliveries(drafts, 'evt-1', T0)
      const [delivery] = await claim(store())
      await store().applyChannelStatus({ channel: 'whatsapp', account: 'acct', eventId: 'd-early', address, status: 'DELIVERED', target: { kind: 'message', platformMessageId: 'wamid.E' }, at: T0 + 5 })
      await store().recordChannelSent(delivery!.id, { platformMessageId: 'wamid.E', status: 'SENT', at: T0 + 4 })
      expect(await receiptOf(messages[0]!.id, address)).toMatchObject({ status: 'DELIVERED' })
    })

    it('never shows a delivery after the read: a read that came before the send was recorded delivers too', async () => {
      const { address, messages, drafts } = await setup(1)
      await store().queueChannelDeliveries(drafts, 'evt-r', T0)
      const [delivery] = await claim(store())
      await store().applyChannelStatus({ channel: 'whatsapp', account: 'acct', eventId: 'r-early', address, status: 'READ', target: { kind: 'message', platformMessageId: 'wamid.R' }, at: T0 + 5 })
      await store().recordChannelSent(delivery!.id, { platformMessageId: 'wamid.R', status: 'DELIVERED', at: T0 + 9 })
      expect(await receiptOf(messages[0]!.id, address)).toEqual({ memberId: address, status: 'READ', deliveredAt: T0 + 5, readAt: T0 + 5 })
    })

    it('fails with a reason and a dead letter, and a replay starts the delivery over', async () => {
      const { address, messages, drafts } = await setup(1)
      await store().queueChannelDeliveries(drafts, 'evt-1', T0)
      const [delivery] = await claim(store())
      const event = { id: 'evt-1', createdAt: T0, event: { type: 'member.left' as const, conversationId: drafts[0]!.conversationId, memberId: 'x', at: T0 } }
      const letter = { id: uid('dl'), group: 'channels', event, error: 'bad_recipient: no such number', attempts: 1, at: T0 + 6 }
      await store().recordChannelFailed(delivery!.id, { attempts: 1, reason: letter.error, at: T0 + 6, deadLetter: letter })
      expect(await receiptOf(messages[0]!.id, address)).toMatchObject({ status: 'FAILED', reason: 'bad_recipient: no such number' })
      expect((await store().aggregateStatuses([messages[0]!.id])).get(messages[0]!.id)).toBe('FAILED')
      expect(await store().getDeadLetter(letter.id)).toEqual(letter)
      expect(await store().queueChannelDeliveries(drafts, 'evt-1', T0 + 7), 'the same event again').toBe(0)
      expect(await store().queueChannelDeliveries(drafts, 'evt-replay', T0 + 7)).toBe(1)
      expect(await receiptOf(messages[0]!.id, address)).toMatchObject({ status: 'SENT' })
      expect((await claim(store(), T0 + 8)).map((d) => [d.seq, d.attempts, d.eventId])).toEqual([[drafts[0]!.seq, 0, 'evt-replay']])
    })

    it('applies a read watermark to every earlier message to the recipient', async () => {
      const { address, messages, drafts } = await setup(2)
      await store().queueChannelDeliveries(drafts, 'evt-1', T0)
      for (const [i, pmid] of ['mid.1', 'mid.2'].entries()) {
        const [d] = await claim(store(), T0 + 10 + i)
        await store().recordChannelSent(d!.id, { platformMessageId: pmid, status: 'DELIVERED', at: T0 + 10 + i })
      }
      expect(
        await store().applyChannelStatus({ channel: 'whatsapp', account: 'acct', eventId: 'seen', address, status: 'READ', target: { kind: 'up_to_message', platformMessageId: 'mid.2' }, at: T0 + 20 }),
      ).toBe(2)
      for (const m of messages) expect(await receiptOf(m.id, address)).toMatchObject({ status: 'READ' })
    })

    it('finds where a contact writes: the replied message\'s conversation, else the last one that exchanged with them', async () => {
      const { address, drafts } = await setup(1)
      const first = drafts[0]!.conversationId
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'acct', address })).toBeUndefined()
      await store().queueChannelDeliveries(drafts, 'evt-1', T0)
      const [d] = await claim(store())
      await store().recordChannelSent(d!.id, { platformMessageId: 'wamid.R', status: 'SENT', at: T0 + 1 })
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'acct', address })).toBe(first)
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'other', address }), 'another account').toBeUndefined()

      const second = await createGroup(store(), [uid('u')])
      await store().addMembers(second.id, [{ kind: 'external', id: address, role: 'member' }], { maxMembers: 100, now: T0 })
      const record = { channel: 'whatsapp', account: 'acct', eventId: 'wamid.IN', platformMessageId: 'wamid.IN', address, messageId: uid('msg'), conversationId: second.id, at: T0 + 50_000 }
      await store().recordChannelInbound(record)
      await store().recordChannelInbound(record)
      expect(await store().findChannelInbound('whatsapp', 'wamid.IN')).toEqual(record)
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'acct', address }), 'the latest exchange').toBe(second.id)
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'acct', address, replyTo: 'wamid.R' }), 'a reply').toBe(first)
      await store().removeMember(second.id, address, T0 + 60_000)
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'acct', address }), 'not where they left').toBe(first)
      // Through a user's linked identity: where that user is a member.
      const user = uid('u')
      await store().addMembers(second.id, [{ kind: 'user', id: user, role: 'member' }], { maxMembers: 100, now: T0 })
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'acct', address, member: user }), 'where the user is').toBe(second.id)
      expect(await store().findChannelConversation({ channel: 'whatsapp', account: 'acct', address, member: uid('u') }), 'nowhere for a stranger').toBeUndefined()
    })

    it('queues contacts\' messages once per event, in arrival order, and knows whose wait', async () => {
      const address = `whatsapp:+55119${Math.floor(Math.random() * 1e8)}`
      const item = (eventId: string, at: number) => ({ channel: 'whatsapp', account: 'acct', address, eventId, message: JSON.stringify({ eventId }), at })
      const contact = { channel: 'whatsapp', account: 'acct', address }
      expect(await store().hasQueuedChannelInbound(contact)).toBe(false)
      expect(await store().queueChannelInbound(item('wamid.Q1', T0))).toBe(true)
      expect(await store().queueChannelInbound(item('wamid.Q1', T0 + 1)), 'a redelivered webhook').toBe(false)
      expect(await store().queueChannelInbound(item('wamid.Q2', T0 + 2))).toBe(true)
      expect(await store().hasQueuedChannelInbound(contact)).toBe(true)
      expect(await store().hasQueuedChannelInbound({ ...contact, account: 'other' })).toBe(false)
      const queued = await store().listQueuedChannelInbound(10)
      expect(queued.map((q) => [q.eventId, q.message, q.at])).toEqual([
        ['wamid.Q1', JSON.stringify({ eventId: 'wamid.Q1' }), T0],
        ['wamid.Q2', JSON.stringify({ eventId: 'wamid.Q2' }), T0 + 2],
      ])
      for (const q of queued) await store().deleteQueuedChannelInbound(q.id)
      expect(await store().listQueuedChannelInbound(10)).toEqual([])
      expect(await store().hasQueuedChannelInbound(contact)).toBe(false)
    })

    it('knows when a contact last wrote to an account', async () => {
      const address = `whatsapp:+55119${Math.floor(Math.random() * 1e8)}`
      const contact = { channel: 'whatsapp', account: 'acct', address }
      expect(await store().lastChannelInboundAt(contact)).toBeUndefined()
      for (const [eventId, at] of [['wamid.L1', T0 + 5], ['wamid.L2', T0 + 9], ['wamid.L3', T0 + 7]] as const) {
        await store().recordChannelInbound({ ...contact, eventId, platformMessageId: eventId, messageId: uid('msg'), conversationId: uid('c'), at })
      }
      expect(await store().lastChannelInboundAt(contact)).toBe(T0 + 9)
      expect(await store().lastChannelInboundAt({ ...contact, account: 'other' })).toBeUndefined()
    })

    it('names the account owner by username, or the first admin', async () => {
      const admin = await store().createUser({ id: uid('u'), username: uid('Admin'), email: null, displayName: 'A', passwordHash: 'x', createdAt: T0 })
      const other = await store().createUser({ id: uid('u'), username: uid('Bob'), email: null, displayName: 'B', passwordHash: 'x', createdAt: T0 + 1 })
      expect(await store().findChannelOwner(other.username.toUpperCase())).toBe(other.id)
      expect(await store().findChannelOwner(undefined)).toBe(admin.id)
      expect(await store().findChannelOwner('nobody-' + uid('x'))).toBeUndefined()
    })
  })

  describe('linked identities', () => {
    const store = freshStore(make)

    it('links an address to one user at most, lists and unlinks', async () => {
      const [a, b] = [uid('u'), uid('u')]
      const address = `whatsapp:+55119${Math.floor(Math.random() * 1e8)}`
      const identity = { userId: a, address, platform: 'whatsapp', createdAt: T0 }
      expect(await store().linkIdentity(identity)).toBe('linked')
      expect(await store().linkIdentity({ ...identity, createdAt: T0 + 1 })).toBe('already_linked')
      expect(await store().linkIdentity({ ...identity, userId: b })).toBe('taken')
      await store().linkIdentity({ userId: a, address: 'telegram:123456', platform: 'telegram', createdAt: T0 + 2 })
      expect((await store().listIdentities(a)).map((i) => i.address)).toEqual([address, 'telegram:123456'])
      expect(await store().listIdentities(b)).toEqual([])
      expect(await store().unlinkIdentity(b, address)).toBe(false)
      expect(await store().unlinkIdentity(a, address)).toBe(true)
      expect(await store().linkIdentity({ ...identity, userId: b })).toBe('linked')
      expect((await store().listIdentitiesOf([a, b, uid('u')])).map((i) => [i.userId, i.address])).toEqual([
        [b, address],
        [a, 'telegram:123456'],
      ])
      expect(await store().listIdentitiesOf([])).toEqual([])
      expect(await store().findIdentity(address)).toMatchObject({ userId: b, address, platform: 'whatsapp' })
      expect(await store().findIdentity('whatsapp:+1555' + Math.floor(Math.random() * 1e7))).toBeUndefined()
    })

    it('keeps the channels a send asked for, first write wins', async () => {
      const [m1, m2] = [uid('msg'), uid('msg')]
      await store().saveMessageRoutes(m1, ['whatsapp'])
      await store().saveMessageRoutes(m1, ['all'])
      const routes = await store().getMessageRoutes([m1, m2])
      expect([...routes]).toEqual([[m1, ['whatsapp']]])
    })
  })
}
