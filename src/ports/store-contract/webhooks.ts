/**
 * @module Store contract: outbound webhooks. Registrations; events turned into deliveries for the
 * webhooks whose owners are members; a queue that hands out one delivery per (webhook,
 * conversation) at a time, in order, with leases, retries, dead letters and replays.
 */
import { describe, expect, it } from 'vitest'
import type { Webhook, WebhookEvent } from '../../core/webhooks/model.js'
import type { Store, WebhookClaim } from '../store.js'
import { T0, createGroup, errorCode, freshStore, ids, member, uid, type StoreFactory } from './harness.js'

function newWebhook(ownerId: string, overrides: Partial<Webhook> = {}): Webhook {
  return { id: uid('wh'), ownerId, url: 'https://example.test/hook', events: ['*'], secret: 's3cret', createdAt: T0, ...overrides }
}

function event(conversationId: string | null, overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  const id = overrides.id ?? uid('ev')
  return { id, type: 'message.created', conversationId, seq: null, body: JSON.stringify({ id }), createdAt: T0, ...overrides }
}

const claim = (store: Store, overrides: Partial<WebhookClaim> = {}) =>
  store.claimWebhookDeliveries({ now: T0, limit: 100, perWebhook: 100, leaseMs: 1_000, ...overrides })

const ok = { kind: 'delivered' } as const
const attempt = (at = T0, statusCode: number | null = 200, error: string | null = null) => ({ at, statusCode, error, durationMs: 5 })

/** A webhook of a fresh member of a fresh group, with `count` events queued for it in that conversation. */
async function queued(store: Store, count: number, webhook: Partial<Webhook> = {}) {
  const [owner, other] = ids(2)
  const group = await createGroup(store, [owner!, other!])
  const hook = newWebhook(owner!, webhook)
  await store.createWebhook(hook)
  const events = Array.from({ length: count }, () => event(group.id))
  expect(await store.queueWebhookEvents(events, T0)).toBe(count)
  return { hook, group, events, owner: owner!, other: other! }
}

export function webhookContract(make: StoreFactory): void {
  describe('webhooks', () => {
    const store = freshStore(make)

    it('keeps registrations per owner and deletes them', async () => {
      const [a, b] = ids(2)
      const first = newWebhook(a!, { events: ['message.created', 'message.status'] })
      const second = newWebhook(a!, { createdAt: T0 + 1 })
      await store().createWebhook(first)
      await store().createWebhook(second)
      await store().createWebhook(newWebhook(b!))
      expect(await store().getWebhook(first.id)).toEqual(first)
      expect(await store().listWebhooks(a!)).toEqual([first, second])
      expect(await store().deleteWebhook(first.id)).toBe(true)
      expect(await store().deleteWebhook(first.id)).toBe(false)
      expect(await store().getWebhook(first.id)).toBeUndefined()
      expect(await store().listWebhooks(a!)).toEqual([second])
    })

    it('queues an event for each subscribed webhook whose owner is a member, once', async () => {
      const [owner, other, outsider, late] = ids(4)
      const group = await createGroup(store(), [owner!, other!])
      const all = newWebhook(owner!)
      const statusOnly = newWebhook(other!, { events: ['message.status'] })
      const foreign = newWebhook(outsider!)
      const joinedLate = newWebhook(late!)
      for (const hook of [all, statusOnly, foreign, joinedLate]) await store().createWebhook(hook)
      await store().addMembers(group.id, [member(late!)], { maxMembers: 10, now: T0 }) // joins after seq 0
      const created = event(group.id, { seq: 1 })
      const status = event(group.id, { type: 'message.status' })
      expect(await store().queueWebhookEvents([created, status], T0)).toBe(5)
      expect(await store().queueWebhookEvents([created, status], T0), 'idempotent').toBe(0)
      expect(await store().queueWebhookEvents([event(null), event(uid('c'))], T0)).toBe(0)
      const types = async (hook: Webhook) =>
        (await store().listWebhookDeliveries(hook.id, { limit: 10 })).map((d) => d.eventType).sort()
      expect(await types(all)).toEqual(['message.created', 'message.status'])
      expect(await types(statusOnly)).toEqual(['message.status'])
      expect(await types(foreign)).toEqual([])
      expect(await types(joinedLate)).toEqual(['message.created', 'message.status'])
      const [delivery] = await store().listWebhookDeliveries(statusOnly.id, { limit: 10 })
      expect(delivery).toEqual({
        id: expect.any(String),
        webhookId: statusOnly.id,
        eventId: status.id,
        eventType: 'message.status',
        conversationId: group.id,
        state: 'pending',
        nextAttemptAt: T0,
        createdAt: T0,
        finishedAt: null,
        replayOf: null,
        attempts: [],
      })
    })

    it('hears a new message only from members who joined before it', async () => {
      const [owner, late] = ids(2)
      const group = await createGroup(store(), [owner!])
      const hook = newWebhook(late!)
      await store().createWebhook(hook)
      await store().addMembers(group.id, [member(late!)], { maxMembers: 10, now: T0 })
      // They joined when the last seq was 0: seq 1 is the first message they hear.
      expect(await store().queueWebhookEvents([event(group.id, { seq: 0 }), event(group.id, { seq: 1 })], T0)).toBe(1)
    })

    it('hands out one delivery per conversation at a time, oldest first, with what the sender needs', async () => {
      const { hook, events, group } = await queued(store(), 3)
      const second = await queued(store(), 1)
      const claimed = await claim(store())
      expect(claimed.map((d) => d.eventId).sort()).toEqual([events[0]!.id, second.events[0]!.id].sort())
      expect(claimed.find((d) => d.webhookId === hook.id)).toEqual({
        deliveryId: expect.any(String),
        webhookId: hook.id,
        url: hook.url,
        secret: hook.secret,
        eventId: events[0]!.id,
        eventType: 'message.created',
        body: events[0]!.body,
        attempt: 1,
      })
      expect(await claim(store()), 'leased').toEqual([])
      const first = claimed.find((d) => d.webhookId === hook.id)!
      await store().recordWebhookAttempt(first.deliveryId, attempt(), ok)
      const next = await claim(store(), { now: T0 + 10 })
      expect(next.map((d) => d.eventId)).toEqual([events[1]!.id])
      const [done] = (await store().listWebhookDeliveries(hook.id, { limit: 10 })).filter((d) => d.id === first.deliveryId)
      expect(done).toMatchObject({ state: 'delivered', nextAttemptAt: null, finishedAt: T0 + 5, conversationId: group.id })
      expect(done!.attempts).toEqual([{ number: 1, at: T0, statusCode: 200, error: null, durationMs: 5 }])
    })

    it('gives a claim back when its lease runs out or it is released', async () => {
      const { events } = await queued(store(), 2)
      const [first] = await claim(store(), { leaseMs: 1_000 })
      expect(await claim(store(), { now: T0 + 999 })).toEqual([])
      const again = await claim(store(), { now: T0 + 1_000 })
      expect(again.map((d) => [d.eventId, d.attempt])).toEqual([[events[0]!.id, 1]])
      await store().releaseWebhookDeliveries([first!.deliveryId])
      expect((await claim(store(), { now: T0 + 1_001 })).map((d) => d.eventId)).toEqual([events[0]!.id])
    })

    it('retries at the given time, keeping the conversation blocked meanwhile', async () => {
      const { hook, events } = await queued(store(), 2)
      const [first] = await claim(store())
      await store().recordWebhookAttempt(first!.deliveryId, attempt(T0, 503, 'HTTP 503'), { kind: 'retry', at: T0 + 500 })
      expect(await claim(store(), { now: T0 + 499 })).toEqual([])
      const [retried] = await claim(store(), { now: T0 + 500 })
      expect(retried).toMatchObject({ deliveryId: first!.deliveryId, eventId: events[0]!.id, attempt: 2 })
      await store().recordWebhookAttempt(retried!.deliveryId, attempt(T0 + 500, null, 'timed out'), { kind: 'dead' })
      await store().recordWebhookAttempt(retried!.deliveryId, attempt(T0 + 600), ok) // not pending any more: ignored
      const [dead] = await store().listWebhookDeliveries(hook.id, { limit: 1, state: 'dead' })
      expect(dead).toMatchObject({ id: first!.deliveryId, state: 'dead', finishedAt: T0 + 505 })
      expect(dead!.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([
        [1, 503, 'HTTP 503'],
        [2, null, 'timed out'],
      ])
      const [next] = await claim(store(), { now: T0 + 505 })
      expect(next?.eventId, 'a dead letter unblocks its conversation').toBe(events[1]!.id)
    })

    it('caps deliveries in flight per webhook without crowding out other webhooks', async () => {
      const [owner] = ids(1)
      const busy = newWebhook(owner!)
      await store().createWebhook(busy)
      for (let i = 0; i < 5; i++) {
        const group = await createGroup(store(), [owner!])
        await store().queueWebhookEvents([event(group.id)], T0)
      }
      const quiet = await queued(store(), 1, { createdAt: T0 + 1 })
      const first = await claim(store(), { limit: 3, perWebhook: 2 })
      expect(first.filter((d) => d.webhookId === busy.id)).toHaveLength(2)
      expect(first.filter((d) => d.webhookId === quiet.hook.id)).toHaveLength(1)
      expect(await claim(store(), { perWebhook: 2 }), 'both busy slots are taken').toEqual([])
      await store().recordWebhookAttempt(first[0]!.deliveryId, attempt(), ok)
      expect(await claim(store(), { perWebhook: 2 })).toHaveLength(1)
    })

    it('replays a finished delivery as a new one, and makes a pending one due now', async () => {
      const { hook, events } = await queued(store(), 2)
      const [first] = await claim(store())
      await store().recordWebhookAttempt(first!.deliveryId, attempt(), ok)
      const [second] = await claim(store(), { now: T0 + 5 })
      await store().recordWebhookAttempt(second!.deliveryId, attempt(T0 + 5, 500, 'HTTP 500'), { kind: 'retry', at: T0 + 60_000 })
      const replay = await store().replayWebhookDelivery(hook.id, first!.deliveryId, T0 + 10)
      expect(replay).toMatchObject({ eventId: events[0]!.id, state: 'pending', replayOf: first!.deliveryId, attempts: [] })
      expect(replay!.id).not.toBe(first!.deliveryId)
      expect(replay!.nextAttemptAt, 'queued behind the pending one').toBeNull()
      const sooner = await store().replayWebhookDelivery(hook.id, second!.deliveryId, T0 + 20)
      expect(sooner).toMatchObject({ id: second!.deliveryId, nextAttemptAt: T0 + 20 })
      const [due] = await claim(store(), { now: T0 + 20 })
      expect(due).toMatchObject({ deliveryId: second!.deliveryId, attempt: 2 })
      await store().recordWebhookAttempt(due!.deliveryId, attempt(T0 + 20), ok)
      expect((await claim(store(), { now: T0 + 30 })).map((d) => d.deliveryId)).toEqual([replay!.id])
      expect(await store().replayWebhookDelivery(hook.id, uid('nope'), T0)).toBeUndefined()
      expect(await store().replayWebhookDelivery(uid('wh'), first!.deliveryId, T0)).toBeUndefined()
    })

    it('queues a test event for one webhook, outside any conversation', async () => {
      const [owner] = ids(1)
      const hook = newWebhook(owner!, { events: ['message.status'] })
      await store().createWebhook(hook)
      const ping = event(null, { type: 'webhook.test' })
      const delivery = await store().queueWebhookDelivery(hook.id, ping, T0)
      expect(delivery).toMatchObject({ webhookId: hook.id, eventId: ping.id, eventType: 'webhook.test', conversationId: null })
      const other = await store().queueWebhookDelivery(hook.id, event(null, { type: 'webhook.test' }), T0)
      expect((await claim(store())).map((d) => d.deliveryId).sort()).toEqual([delivery.id, other.id].sort())
      expect(await errorCode(store().queueWebhookDelivery(uid('wh'), ping, T0))).toBe('webhook_not_found')
    })

    it('pages deliveries newest first', async () => {
      const { hook, events } = await queued(store(), 5)
      const page1 = await store().listWebhookDeliveries(hook.id, { limit: 2 })
      expect(page1.map((d) => d.eventId)).toEqual([events[4]!.id, events[3]!.id])
      const page2 = await store().listWebhookDeliveries(hook.id, { limit: 10, before: page1[1]!.id })
      expect(page2.map((d) => d.eventId)).toEqual([events[2]!.id, events[1]!.id, events[0]!.id])
      expect(await store().getWebhookDelivery(hook.id, page2[0]!.id)).toEqual(page2[0])
      expect(await store().getWebhookDelivery(uid('wh'), page2[0]!.id)).toBeUndefined()
    })

    it('drops a deleted webhook’s deliveries, even one in flight', async () => {
      const { hook } = await queued(store(), 2)
      const kept = await queued(store(), 1)
      const claimed = await claim(store())
      const inFlight = claimed.find((d) => d.webhookId === hook.id)!
      expect(await store().deleteWebhook(hook.id)).toBe(true)
      await store().recordWebhookAttempt(inFlight.deliveryId, attempt(), ok)
      expect(await store().listWebhookDeliveries(hook.id, { limit: 10 })).toEqual([])
      expect(await claim(store(), { now: T0 + 10_000 })).toHaveLength(1) // the other webhook's, its lease over
      expect((await store().listWebhookDeliveries(kept.hook.id, { limit: 10 }))[0]?.eventId).toBe(kept.events[0]!.id)
    })
  })
}
