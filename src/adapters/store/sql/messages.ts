/** @module Messages, receipts and watermarks on the shared SQL store. */
import { randomUUID } from 'node:crypto'
import { statusByRank, statusRank } from '../../../core/model.js'
import type { DeliveryStatus, DomainEvent, NewMessage, RoutingKey } from '../../../core/model.js'
import type { AppendResult, MessageStore } from '../../../ports/store.js'
import { createBatcher } from './append-batcher.js'
import type { SqlDialect, SqlDriver, SqlExecutor } from './driver.js'
import { jsonOrNull, messageColumns, toMessage } from './rows.js'
import { insertOutboxEvent } from './outbox.js'

type MessageCreated = Extract<DomainEvent, { type: 'message.created' }>

export interface SqlMessageStoreOptions {
  readonly maxBatch: number
  readonly concurrency: number
  readonly onOutboxWrite: () => void
}

/**
 * Inserts the receipts recipients lack, already advanced as far as their watermarks say.
 * Parameters: conversation id, seq, sender id, time. The casts let PostgreSQL type parameters
 * that appear only in the select list (it would take them for text otherwise).
 */
const materializeSql = `
  INSERT INTO receipts (conversation_id, seq, member_id, status, delivered_at, read_at)
  SELECT m.conversation_id, CAST($2 AS BIGINT), m.member_id,
    CASE WHEN m.read_up_to_seq >= $2 THEN 3 WHEN m.delivered_up_to_seq >= $2 THEN 2 ELSE 1 END,
    CASE WHEN m.delivered_up_to_seq >= $2 OR m.read_up_to_seq >= $2 THEN CAST($4 AS BIGINT) ELSE NULL END,
    CASE WHEN m.read_up_to_seq >= $2 THEN CAST($4 AS BIGINT) ELSE NULL END
  FROM members m
  WHERE m.conversation_id = $1 AND m.member_id <> $3 AND m.joined_after_seq < $2
  ON CONFLICT (conversation_id, seq, member_id) DO NOTHING`

async function appendAll(
  tx: SqlExecutor,
  dialect: SqlDialect,
  messages: readonly NewMessage[],
): Promise<AppendResult[]> {
  // Lock every conversation of the batch in one sorted pass so concurrent batches cannot deadlock.
  const ids = [...new Set(messages.map((m) => m.conversationId))].sort()
  const rows = await tx.query<{ id: string; last_seq: number }>(
    `SELECT id, last_seq FROM conversations WHERE ${dialect.inList('id', '$1')} ORDER BY id ${dialect.forUpdate}`,
    [dialect.listParam(ids)],
  )
  const lastSeq = new Map(rows.map((r) => [r.id, Number(r.last_seq)]))
  const lastActivity = new Map<string, number>()
  const results: AppendResult[] = []
  for (const message of messages) {
    const current = lastSeq.get(message.conversationId)
    const isMember =
      current !== undefined &&
      (await tx.query('SELECT 1 AS ok FROM members WHERE conversation_id = $1 AND member_id = $2', [
        message.conversationId,
        message.senderId,
      ])).length > 0
    if (!isMember) {
      results.push({ kind: 'not_found' })
      continue
    }
    const seq = current + 1
    const inserted = await tx.run(
      `INSERT INTO messages (${messageColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [
        message.id,
        message.conversationId,
        seq,
        message.senderId,
        JSON.stringify(message.payload),
        jsonOrNull(message.metadata),
        message.bodyHash,
        message.createdAt,
      ],
    )
    if (inserted === 0) {
      const [row] = await tx.query(`SELECT ${messageColumns} FROM messages WHERE id = $1`, [message.id])
      const existing = toMessage(row!)
      const same = existing.bodyHash === message.bodyHash && existing.senderId === message.senderId
      results.push({ kind: same ? 'duplicate' : 'conflict', message: existing })
      continue
    }
    lastSeq.set(message.conversationId, seq)
    lastActivity.set(message.conversationId, message.createdAt)
    const event: MessageCreated = {
      type: 'message.created',
      messageId: message.id,
      conversationId: message.conversationId,
      seq,
      senderId: message.senderId,
      payload: message.payload,
      metadata: message.metadata,
      createdAt: message.createdAt,
    }
    await insertOutboxEvent(tx, `message.created:${message.id}`, event, message.createdAt)
    results.push({ kind: 'created', message: { ...message, seq } })
  }
  for (const [id, at] of lastActivity) {
    await tx.run('UPDATE conversations SET last_seq = $2, last_activity_at = $3 WHERE id = $1', [id, lastSeq.get(id)!, at])
  }
  return results
}

export function createSqlMessageStore(
  db: SqlDriver,
  dialect: SqlDialect,
  options: SqlMessageStoreOptions,
): MessageStore {
  const written = <T>(results: T): T => {
    options.onOutboxWrite()
    return results
  }
  const append = createBatcher<NewMessage, AppendResult>({
    writeBatch: async (batch) => written(await db.transaction((tx) => appendAll(tx, dialect, batch))),
    writeOne: async (one) => written((await db.transaction((tx) => appendAll(tx, dialect, [one])))[0]!),
    maxBatch: options.maxBatch,
    concurrency: options.concurrency,
  })

  return {
    appendMessage: append,

    async getMessage(id) {
      const [row] = await db.query(`SELECT ${messageColumns} FROM messages WHERE id = $1`, [id])
      return row && toMessage(row)
    },

    async listMessages(conversationId, { afterSeq, beforeSeq, limit }) {
      const forward = afterSeq !== undefined
      const bound = forward ? afterSeq : (beforeSeq ?? Number.MAX_SAFE_INTEGER)
      const rows = await db.query(
        `SELECT ${messageColumns} FROM messages WHERE conversation_id = $1 AND seq ${forward ? '>' : '<'} $2
         ORDER BY seq ${forward ? 'ASC' : 'DESC'} LIMIT $3`,
        [conversationId, bound, limit + 1],
      )
      const hasMore = rows.length > limit
      const page = rows.slice(0, limit).map((row) => toMessage(row))
      return { messages: forward ? page : page.reverse(), hasMore }
    },

    async getReceipts(messageId) {
      const rows = await db.query<{ member_id: string; status: number; delivered_at: number | null; read_at: number | null }>(
        `SELECT r.member_id, r.status, r.delivered_at, r.read_at FROM messages m
         JOIN receipts r ON r.conversation_id = m.conversation_id AND r.seq = m.seq
         WHERE m.id = $1 ORDER BY r.member_id`,
        [messageId],
      )
      return rows.map((r) => ({
        memberId: r.member_id,
        status: statusByRank[Number(r.status)] ?? 'SENT',
        deliveredAt: r.delivered_at == null ? null : Number(r.delivered_at),
        readAt: r.read_at == null ? null : Number(r.read_at),
      }))
    },

    async aggregateStatuses(messageIds) {
      const statuses = new Map<string, DeliveryStatus>(messageIds.map((id) => [id, 'SENT']))
      if (messageIds.length === 0) return statuses
      const rows = await db.query<{ message_id: string; status: number }>(
        `SELECT m.id AS message_id, MIN(r.status) AS status FROM messages m
         JOIN receipts r ON r.conversation_id = m.conversation_id AND r.seq = m.seq
         WHERE ${dialect.inList('m.id', '$1')} GROUP BY m.id`,
        [dialect.listParam(messageIds)],
      )
      for (const row of rows) statuses.set(row.message_id, statusByRank[Number(row.status)] ?? 'SENT')
      return statuses
    },

    async advanceWatermark(change) {
      const rank = statusRank[change.status]
      const moved = await db.transaction(async (tx) => {
        const [conversation] = await tx.query<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE id = $1', [
          change.conversationId,
        ])
        const upToSeq = Math.min(change.upToSeq, Number(conversation?.last_seq ?? 0))
        const readClause = change.status === 'READ' ? ', read_up_to_seq = $3' : ''
        const column = change.status === 'READ' ? 'read_up_to_seq' : 'delivered_up_to_seq'
        const changed = await tx.run(
          `UPDATE members SET delivered_up_to_seq = CASE WHEN delivered_up_to_seq < $3 THEN $3 ELSE delivered_up_to_seq END ${readClause}
           WHERE conversation_id = $1 AND member_id = $2 AND ${column} < $3`,
          [change.conversationId, change.memberId, upToSeq],
        )
        if (changed === 0) return undefined
        await tx.run(
          `UPDATE receipts SET status = $4, delivered_at = COALESCE(delivered_at, $5)
             ${change.status === 'READ' ? ', read_at = COALESCE(read_at, $5)' : ''}
           WHERE conversation_id = $1 AND member_id = $2 AND seq <= $3 AND status < $4`,
          [change.conversationId, change.memberId, upToSeq, rank, change.at],
        )
        const event: DomainEvent = { type: 'message.status', ...change, upToSeq, messageId: null }
        await insertOutboxEvent(tx, `message.status:${randomUUID()}`, event, change.at)
        return { ...change, upToSeq }
      })
      if (moved) options.onOutboxWrite()
      return moved
    },

    async markMessageRead(messageId, memberId, at) {
      const changed = await db.transaction(async (tx) => {
        const [row] = await tx.query(`SELECT ${messageColumns} FROM messages WHERE id = $1`, [messageId])
        if (!row) return false
        const message = toMessage(row)
        // Every recipient's receipt, not only this one: a lone READ receipt would make the
        // message look READ by all (aggregateStatuses) before the router reached the others.
        await tx.run(materializeSql, [message.conversationId, message.seq, message.senderId, at])
        const updated = await tx.run(
          `UPDATE receipts SET status = 3, delivered_at = COALESCE(delivered_at, $4), read_at = COALESCE(read_at, $4)
           WHERE conversation_id = $1 AND seq = $2 AND member_id = $3 AND status < 3`,
          [message.conversationId, message.seq, memberId, at],
        )
        if (updated === 0) return false
        const event: DomainEvent = {
          type: 'message.status',
          conversationId: message.conversationId,
          memberId,
          status: 'READ',
          upToSeq: message.seq,
          messageId,
          at,
        }
        await insertOutboxEvent(tx, `message.status:${randomUUID()}`, event, at)
        return true
      })
      if (changed) options.onOutboxWrite()
      return changed
    },

    async materializeReceipts(events: readonly RoutingKey[]) {
      if (events.length === 0) return
      const now = Date.now()
      await db.transaction(async (tx) => {
        for (const e of events) {
          await tx.run(materializeSql, [e.conversationId, e.seq, e.senderId, now])
        }
      })
    },
  }
}
