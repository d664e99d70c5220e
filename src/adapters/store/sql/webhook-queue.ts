/**
 * @module The webhook delivery queue on the shared SQL store: senders claim due deliveries with a
 * lease (no transaction stays open during the HTTP call), record each attempt, and give claims back.
 */
import type { DueDelivery } from '../../../core/webhooks/model.js'
import type { WebhookStore } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver } from './driver.js'
import { lockWebhooks, promoteNext } from './webhook-rows.js'

type WebhookQueue = Pick<WebhookStore, 'claimWebhookDeliveries' | 'recordWebhookAttempt' | 'releaseWebhookDeliveries'>

/** Due: pending, its time has come, not leased, and the oldest pending one of its (webhook, conversation). */
const due = `d.state = 'pending' AND d.next_attempt_at <= $1 AND d.lease_until <= $1`
const headOfConversation = `NOT EXISTS (
  SELECT 1 FROM webhook_deliveries e
  WHERE e.webhook_id = d.webhook_id AND e.conversation_id = d.conversation_id AND e.state = 'pending' AND e.position < d.position)`

/**
 * Due deliveries ranked within their webhook, keeping only as many per webhook as it has free
 * slots: a webhook with a deep backlog cannot crowd the others out of a claim.
 * Parameters: now, per-webhook limit, limit.
 */
const candidatesSql = `
  SELECT r.id FROM (
    SELECT d.id, d.webhook_id, d.next_attempt_at, d.position,
      ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at, d.position) AS rank
    FROM webhook_deliveries d
    WHERE ${due} AND ${headOfConversation}
  ) r
  LEFT JOIN (
    SELECT webhook_id, COUNT(*) AS busy FROM webhook_deliveries
    WHERE state = 'pending' AND lease_until > $1 GROUP BY webhook_id
  ) f ON f.webhook_id = r.webhook_id
  WHERE r.rank + COALESCE(f.busy, 0) <= $2
  ORDER BY r.next_attempt_at, r.position
  LIMIT $3`

export function createSqlWebhookQueue(db: SqlDriver, dialect: SqlDialect): WebhookQueue {
  // Row locks that other senders skip instead of waiting for (PostgreSQL); SQLite has one writer.
  const skipLocked = dialect.forUpdate ? `${dialect.forUpdate} SKIP LOCKED` : ''

  return {
    async claimWebhookDeliveries({ now, limit, perWebhook, leaseMs }) {
      if (limit <= 0) return []
      // A cheap read first: an idle queue costs no write transaction (SQLite has only one writer).
      const [any] = await db.query(`SELECT 1 AS due FROM webhook_deliveries d WHERE ${due} LIMIT 1`, [now])
      if (!any) return []
      return db.transaction(async (tx) => {
        const candidates = (await tx.query<{ id: string }>(candidatesSql, [now, perWebhook, limit])).map((r) => String(r.id))
        if (candidates.length === 0) return []
        // Another sender may have claimed some since: the lease check and the row locks leave them out.
        const locked = await tx.query<{ id: string }>(
          `SELECT d.id FROM webhook_deliveries d WHERE ${dialect.inList('d.id', '$2')} AND ${due} ${skipLocked}`,
          [now, dialect.listParam(candidates)],
        )
        const ids = locked.map((r) => String(r.id))
        if (ids.length === 0) return []
        await tx.run(`UPDATE webhook_deliveries SET lease_until = $2 WHERE ${dialect.inList('id', '$1')}`, [
          dialect.listParam(ids),
          now + leaseMs,
        ])
        const rows = await tx.query(
          `SELECT d.id, d.webhook_id, d.event_id, d.attempt_count, w.url, w.secret, e.type, e.body
           FROM webhook_deliveries d
           JOIN webhooks w ON w.id = d.webhook_id
           JOIN webhook_events e ON e.event_id = d.event_id
           WHERE ${dialect.inList('d.id', '$1')}`,
          [dialect.listParam(ids)],
        )
        const byId = new Map(
          rows.map((row): [string, DueDelivery] => [
            String(row['id']),
            {
              deliveryId: String(row['id']),
              webhookId: String(row['webhook_id']),
              url: String(row['url']),
              secret: String(row['secret']),
              eventId: String(row['event_id']),
              eventType: String(row['type']),
              body: String(row['body']),
              attempt: Number(row['attempt_count']) + 1,
            },
          ]),
        )
        return candidates.flatMap((id) => byId.get(id) ?? [])
      })
    },

    async recordWebhookAttempt(deliveryId, attempt, outcome) {
      const finishedAt = attempt.at + attempt.durationMs
      await db.transaction(async (tx) => {
        const [owner] = await tx.query('SELECT webhook_id FROM webhook_deliveries WHERE id = $1', [deliveryId])
        if (!owner) return // its webhook was deleted meanwhile
        const webhookId = String(owner['webhook_id'])
        await lockWebhooks(tx, dialect, [webhookId])
        const [row] = await tx.query(
          `SELECT conversation_id, state, attempt_count FROM webhook_deliveries WHERE id = $1 ${dialect.forUpdate}`,
          [deliveryId],
        )
        if (!row || row['state'] !== 'pending') return
        const number = Number(row['attempt_count']) + 1
        await tx.run(
          `INSERT INTO webhook_attempts (delivery_id, number, at, status_code, error, duration_ms)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [deliveryId, number, attempt.at, attempt.statusCode, attempt.error, attempt.durationMs],
        )
        if (outcome.kind === 'retry') {
          await tx.run(
            'UPDATE webhook_deliveries SET attempt_count = $2, next_attempt_at = $3, lease_until = 0 WHERE id = $1',
            [deliveryId, number, outcome.at],
          )
          return
        }
        await tx.run(
          `UPDATE webhook_deliveries SET state = $2, attempt_count = $3, next_attempt_at = NULL, lease_until = 0, finished_at = $4
           WHERE id = $1`,
          [deliveryId, outcome.kind, number, finishedAt],
        )
        const conversationId = row['conversation_id']
        if (conversationId != null) await promoteNext(tx, webhookId, String(conversationId), finishedAt)
      })
    },

    async releaseWebhookDeliveries(deliveryIds) {
      if (deliveryIds.length === 0) return
      await db.run(
        `UPDATE webhook_deliveries SET lease_until = 0 WHERE ${dialect.inList('id', '$1')} AND state = 'pending'`,
        [dialect.listParam(deliveryIds)],
      )
    },
  }
}
