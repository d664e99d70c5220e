/**
 * @module Outbound webhooks on the shared SQL store: registrations, turning events into delivery
 * jobs, and reading or replaying them. Sending them is in `webhook-queue.ts`.
 */
import { randomUUID } from 'node:crypto'
import { errors } from '../../../core/errors.js'
import { subscribes } from '../../../core/webhooks/events.js'
import type { WebhookEvent } from '../../../core/webhooks/model.js'
import type { WebhookStore } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlValue } from './driver.js'
import { insertDelivery, insertEvent, lockWebhooks, readDeliveries, toWebhook } from './webhook-rows.js'
import { createSqlWebhookQueue } from './webhook-queue.js'

interface Subscription {
  readonly webhookId: string
  readonly events: readonly string[]
  readonly conversationId: string
  readonly joinedAfterSeq: number
}

/** Which webhook hears which event: subscribed to its type, owner a member (and, for a message, joined before it). */
function match(events: readonly WebhookEvent[], subscriptions: readonly Subscription[]) {
  const byConversation = new Map<string, Subscription[]>()
  for (const s of subscriptions) byConversation.set(s.conversationId, [...(byConversation.get(s.conversationId) ?? []), s])
  return events.flatMap((event) =>
    (byConversation.get(event.conversationId ?? '') ?? [])
      .filter((s) => subscribes(s.events, event.type) && (event.seq === null || s.joinedAfterSeq < event.seq))
      .map((s) => ({ event, webhookId: s.webhookId })),
  )
}

export function createSqlWebhookStore(db: SqlDriver, dialect: SqlDialect): WebhookStore {
  const getWebhookDelivery = async (webhookId: string, deliveryId: string) =>
    (await readDeliveries(db, dialect, 'd.id = $1 AND d.webhook_id = $2', [deliveryId, webhookId]))[0]

  return {
    ...createSqlWebhookQueue(db, dialect),
    getWebhookDelivery,

    async createWebhook(webhook) {
      await db.run(
        'INSERT INTO webhooks (id, owner_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [webhook.id, webhook.ownerId, webhook.url, JSON.stringify(webhook.events), webhook.secret, webhook.createdAt],
      )
    },

    async getWebhook(id) {
      const [row] = await db.query('SELECT * FROM webhooks WHERE id = $1', [id])
      return row && toWebhook(row)
    },

    async listWebhooks(ownerId) {
      const rows = await db.query('SELECT * FROM webhooks WHERE owner_id = $1 ORDER BY created_at, id', [ownerId])
      return rows.map(toWebhook)
    },

    async deleteWebhook(id) {
      return db.transaction(async (tx) => {
        if ((await tx.run('DELETE FROM webhooks WHERE id = $1', [id])) === 0) return false
        // Event bodies are shared between webhooks: drop only those no other webhook still needs.
        await tx.run(
          `DELETE FROM webhook_events
           WHERE event_id IN (SELECT event_id FROM webhook_deliveries WHERE webhook_id = $1)
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o WHERE o.event_id = webhook_events.event_id AND o.webhook_id <> $1)`,
          [id],
        )
        await tx.run(
          'DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = $1)',
          [id],
        )
        await tx.run('DELETE FROM webhook_deliveries WHERE webhook_id = $1', [id])
        return true
      })
    },

    async queueWebhookEvents(events, now) {
      const conversations = [...new Set(events.flatMap((e) => (e.conversationId === null ? [] : [e.conversationId])))]
      if (conversations.length === 0) return 0
      // Read first, outside any transaction: most events have no webhook at all, and then nothing is written.
      const rows = await db.query(
        `SELECT w.id, w.events, m.conversation_id, m.joined_after_seq FROM webhooks w
         JOIN members m ON m.member_id = w.owner_id AND m.kind = 'user'
         WHERE ${dialect.inList('m.conversation_id', '$1')}`,
        [dialect.listParam(conversations)],
      )
      const matches = match(
        events,
        rows.map((r) => ({
          webhookId: String(r['id']),
          events: JSON.parse(String(r['events'])) as string[],
          conversationId: String(r['conversation_id']),
          joinedAfterSeq: Number(r['joined_after_seq']),
        })),
      )
      if (matches.length === 0) return 0
      return db.transaction(async (tx) => {
        const live = await lockWebhooks(tx, dialect, matches.map((m) => m.webhookId))
        const stored = new Set<string>()
        let queued = 0
        for (const { event, webhookId } of matches) {
          if (!live.has(webhookId)) continue // deleted meanwhile
          if (!stored.has(event.id)) {
            await insertEvent(tx, event)
            stored.add(event.id)
          }
          const inserted = await insertDelivery(tx, {
            id: randomUUID(),
            webhookId,
            eventId: event.id,
            conversationId: event.conversationId,
            replayOf: null,
            now,
          })
          if (inserted) queued++
        }
        return queued
      })
    },

    async queueWebhookDelivery(webhookId, event, now) {
      const id = randomUUID()
      await db.transaction(async (tx) => {
        if (!(await lockWebhooks(tx, dialect, [webhookId])).has(webhookId)) throw errors.webhookNotFound(webhookId)
        await insertEvent(tx, event)
        await insertDelivery(tx, { id, webhookId, eventId: event.id, conversationId: event.conversationId, replayOf: null, now })
      })
      return (await getWebhookDelivery(webhookId, id))!
    },

    async listWebhookDeliveries(webhookId, { limit, before, state }) {
      const params: SqlValue[] = [webhookId, limit]
      let where = 'd.webhook_id = $1'
      if (state !== undefined) {
        params.push(state)
        where += ` AND d.state = $${params.length}`
      }
      if (before !== undefined) {
        params.push(before)
        where += ` AND d.position < (SELECT position FROM webhook_deliveries WHERE id = $${params.length})`
      }
      return readDeliveries(db, dialect, where, params, 'ORDER BY d.position DESC LIMIT $2')
    },

    async replayWebhookDelivery(webhookId, deliveryId, now) {
      const target = await db.transaction(async (tx) => {
        if (!(await lockWebhooks(tx, dialect, [webhookId])).has(webhookId)) return undefined
        const [row] = await tx.query(
          `SELECT id, event_id, conversation_id, state, next_attempt_at FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2`,
          [deliveryId, webhookId],
        )
        if (!row) return undefined
        if (row['state'] === 'pending') {
          // Waiting for a retry: try now. Waiting behind an earlier event: it must keep waiting, or order breaks.
          await tx.run(
            'UPDATE webhook_deliveries SET next_attempt_at = $2 WHERE id = $1 AND next_attempt_at IS NOT NULL AND next_attempt_at > $2',
            [deliveryId, now],
          )
          return deliveryId
        }
        const id = randomUUID()
        const conversationId = row['conversation_id'] == null ? null : String(row['conversation_id'])
        await insertDelivery(tx, { id, webhookId, eventId: String(row['event_id']), conversationId, replayOf: deliveryId, now })
        return id
      })
      return target === undefined ? undefined : getWebhookDelivery(webhookId, target)
    },
  }
}
