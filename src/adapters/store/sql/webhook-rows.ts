/**
 * @module What the webhook parts of the SQL store share: row mapping, reading deliveries with their
 * attempts, queueing a delivery in conversation order, and the per-webhook lock.
 */
import type {
  Webhook,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEvent,
} from '../../../core/webhooks/model.js'
import type { SqlDialect, SqlExecutor, SqlRow, SqlValue } from './driver.js'

const nullableInt = (value: unknown): number | null => (value == null ? null : Number(value))

export function toWebhook(row: SqlRow): Webhook {
  return {
    id: String(row['id']),
    ownerId: String(row['owner_id']),
    url: String(row['url']),
    events: JSON.parse(String(row['events'])) as string[],
    secret: String(row['secret']),
    createdAt: Number(row['created_at']),
  }
}

function toAttempt(row: SqlRow): WebhookAttempt {
  return {
    number: Number(row['number']),
    at: Number(row['at']),
    statusCode: nullableInt(row['status_code']),
    error: row['error'] == null ? null : String(row['error']),
    durationMs: Number(row['duration_ms']),
  }
}

const deliveryColumns = `d.id, d.webhook_id, d.event_id, e.type AS event_type, d.conversation_id, d.state,
  d.next_attempt_at, d.created_at, d.finished_at, d.replay_of`

/** Deliveries matching `where` (over `d`, the delivery, and `e`, its event), each with its attempts. */
export async function readDeliveries(
  db: SqlExecutor,
  dialect: SqlDialect,
  where: string,
  params: readonly SqlValue[],
  tail = '',
): Promise<WebhookDelivery[]> {
  const rows = await db.query(
    `SELECT ${deliveryColumns} FROM webhook_deliveries d JOIN webhook_events e ON e.event_id = d.event_id
     WHERE ${where} ${tail}`,
    params,
  )
  if (rows.length === 0) return []
  const attemptRows = await db.query(
    `SELECT delivery_id, number, at, status_code, error, duration_ms FROM webhook_attempts
     WHERE ${dialect.inList('delivery_id', '$1')} ORDER BY delivery_id, number`,
    [dialect.listParam(rows.map((r) => String(r['id'])))],
  )
  const attempts = new Map<string, WebhookAttempt[]>()
  for (const row of attemptRows) {
    const id = String(row['delivery_id'])
    attempts.set(id, [...(attempts.get(id) ?? []), toAttempt(row)])
  }
  return rows.map((row) => {
    const state = String(row['state']) as WebhookDeliveryState
    return {
      id: String(row['id']),
      webhookId: String(row['webhook_id']),
      eventId: String(row['event_id']),
      eventType: String(row['event_type']),
      conversationId: row['conversation_id'] == null ? null : String(row['conversation_id']),
      state,
      nextAttemptAt: state === 'pending' ? nullableInt(row['next_attempt_at']) : null,
      createdAt: Number(row['created_at']),
      finishedAt: nullableInt(row['finished_at']),
      replayOf: row['replay_of'] == null ? null : String(row['replay_of']),
      attempts: attempts.get(String(row['id'])) ?? [],
    }
  })
}

/**
 * Locks webhooks (sorted, so concurrent writers cannot deadlock) and returns those that exist.
 * Queueing a delivery and finishing one both take this lock, so a delivery queued behind a pending
 * one is never missed when that one finishes and the next is made due.
 */
export async function lockWebhooks(tx: SqlExecutor, dialect: SqlDialect, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM webhooks WHERE ${dialect.inList('id', '$1')} ORDER BY id ${dialect.forUpdate}`,
    [dialect.listParam([...new Set(ids)].sort())],
  )
  return new Set(rows.map((r) => String(r.id)))
}

export async function insertEvent(tx: SqlExecutor, event: WebhookEvent): Promise<void> {
  await tx.run(
    `INSERT INTO webhook_events (event_id, type, conversation_id, body, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [event.id, event.type, event.conversationId, event.body, event.createdAt],
  )
}

export interface NewDelivery {
  readonly id: string
  readonly webhookId: string
  readonly eventId: string
  readonly conversationId: string | null
  readonly replayOf: string | null
  readonly now: number
}

/**
 * Queues a delivery behind the pending ones of its (webhook, conversation): due now when there are
 * none, otherwise waiting (null) until the one before it is done. Returns false for an original
 * already queued for this webhook and event.
 */
export async function insertDelivery(tx: SqlExecutor, d: NewDelivery): Promise<boolean> {
  const changed = await tx.run(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, conversation_id, state, next_attempt_at, replay_of, created_at)
     VALUES ($1, $2, $3, $4, 'pending',
       CASE WHEN EXISTS (SELECT 1 FROM webhook_deliveries p
                         WHERE p.webhook_id = $2 AND p.conversation_id = $4 AND p.state = 'pending')
            THEN NULL ELSE CAST($5 AS BIGINT) END,
       $6, $5)
     ON CONFLICT DO NOTHING`,
    [d.id, d.webhookId, d.eventId, d.conversationId, d.now, d.replayOf],
  )
  return changed > 0
}

/** Makes the oldest pending delivery of a (webhook, conversation) due, if it was waiting. */
export async function promoteNext(tx: SqlExecutor, webhookId: string, conversationId: string, now: number): Promise<void> {
  await tx.run(
    `UPDATE webhook_deliveries SET next_attempt_at = $3
     WHERE position = (SELECT MIN(position) FROM webhook_deliveries
                       WHERE webhook_id = $1 AND conversation_id = $2 AND state = 'pending')
       AND next_attempt_at IS NULL`,
    [webhookId, conversationId, now],
  )
}
