/**
 * @module Receipts derived from watermarks. A recipient's status for a message follows from their
 * `delivered_up_to_seq` / `read_up_to_seq`, so accepting and routing a message writes nothing per
 * recipient. Its times come from the watermark's history (`watermark_advances`, one row per advance,
 * not per message): a message was delivered when the first advance at or past its seq happened.
 * Rows in `receipts` remain only for what a watermark cannot say: one message read out of order
 * (and, for external recipients, per-message statuses reported by their platform). A receipt is
 * the more advanced of the two, with the earliest time each source gives.
 */
import { statusByRank } from '../../../core/model.js'
import type { DeliveryStatus, Receipt } from '../../../core/model.js'
import type { Migration } from './migration.js'
import type { SqlDialect, SqlExecutor } from './driver.js'

export const derivedReceiptsMigration = (options: { bigint: string; clustered: string }): Migration => ({
  version: 9,
  name: 'derived-receipts',
  sql: [
    `CREATE TABLE watermark_advances (
      conversation_id TEXT NOT NULL,
      member_id TEXT NOT NULL,
      status INTEGER NOT NULL,
      up_to_seq ${options.bigint} NOT NULL,
      at ${options.bigint} NOT NULL,
      PRIMARY KEY (conversation_id, member_id, status, up_to_seq)
    )${options.clustered}`,
  ],
})

/** Records one advance of a member's watermark: `status` 2 (DELIVERED) or 3 (READ). */
export async function recordAdvance(
  tx: SqlExecutor,
  advance: { conversationId: string; memberId: string; status: 2 | 3; upToSeq: number; at: number },
): Promise<void> {
  await tx.run(
    `INSERT INTO watermark_advances (conversation_id, member_id, status, up_to_seq, at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (conversation_id, member_id, status, up_to_seq) DO NOTHING`,
    [advance.conversationId, advance.memberId, advance.status, advance.upToSeq, advance.at],
  )
}

/**
 * The recipients of a message: every member but the sender who had joined before it. Joined with
 * the message as `m`, the member as `mb` and the member's exception row (if any) as `r`.
 */
const recipientsOf = `
  FROM messages m
  JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.member_id <> m.sender_id AND mb.joined_after_seq < m.seq
  LEFT JOIN receipts r ON r.conversation_id = m.conversation_id AND r.seq = m.seq AND r.member_id = mb.member_id`

/**
 * The rank of the status a recipient has: the more advanced of watermark and exception row; 0 for an
 * external recipient's FAILED row (channel-deliveries.ts), final, and the least advanced.
 */
const rankSql = `CASE WHEN r.status = 0 THEN 0 WHEN mb.read_up_to_seq >= m.seq OR r.status = 3 THEN 3
  WHEN mb.delivered_up_to_seq >= m.seq OR r.status = 2 THEN 2 ELSE 1 END`

/** When the first advance of this kind at or past the message happened; null when none covers it. */
const advanceAt = (status: 2 | 3, column: string) => `CASE WHEN mb.${column} >= m.seq THEN (
  SELECT a.at FROM watermark_advances a
  WHERE a.conversation_id = m.conversation_id AND a.member_id = mb.member_id AND a.status = ${status} AND a.up_to_seq >= m.seq
  ORDER BY a.up_to_seq LIMIT 1) END`

interface ReceiptRow extends Record<string, unknown> {
  member_id: string
  rank: number
  row_delivered_at: number | null
  row_read_at: number | null
  delivered_advance_at: number | null
  read_advance_at: number | null
  reason: string | null
}

/** `statusByRank` with FAILED at rank 0 (the model's list keeps SENT there for watermark ranks). */
const statusOf = (rank: number): DeliveryStatus => (rank === 0 ? 'FAILED' : (statusByRank[rank] ?? 'SENT'))

const earliest = (...times: readonly unknown[]): number | null => {
  const known = times.filter((t) => t != null).map(Number)
  return known.length === 0 ? null : Math.min(...known)
}

export async function getReceipts(db: SqlExecutor, messageId: string): Promise<Receipt[]> {
  const rows = await db.query<ReceiptRow>(
    `SELECT mb.member_id, ${rankSql} AS rank, r.delivered_at AS row_delivered_at, r.read_at AS row_read_at, r.reason,
       ${advanceAt(2, 'delivered_up_to_seq')} AS delivered_advance_at, ${advanceAt(3, 'read_up_to_seq')} AS read_advance_at
     ${recipientsOf}
     WHERE m.id = $1 ORDER BY mb.member_id`,
    [messageId],
  )
  return rows.map((row) => {
    const status = statusOf(Number(row.rank))
    // READ implies DELIVERED: a read advance also delivers what it covers.
    const readAt = status === 'READ' ? earliest(row.read_advance_at, row.row_read_at) : null
    // A read is also a delivery, so delivered_at is never after read_at, whichever source came first.
    const deliveredAt =
      status === 'SENT' || status === 'FAILED' ? null : earliest(row.delivered_advance_at, row.row_delivered_at, readAt)
    if (status === 'FAILED') return { memberId: row.member_id, status, deliveredAt, readAt, reason: row.reason ?? 'failed' }
    return { memberId: row.member_id, status, deliveredAt, readAt }
  })
}

export async function aggregateStatuses(
  db: SqlExecutor,
  dialect: SqlDialect,
  messageIds: readonly string[],
): Promise<Map<string, DeliveryStatus>> {
  const statuses = new Map<string, DeliveryStatus>(messageIds.map((id) => [id, 'SENT']))
  if (messageIds.length === 0) return statuses
  const rows = await db.query<{ message_id: string; status: number }>(
    `SELECT m.id AS message_id, MIN(${rankSql}) AS status ${recipientsOf}
     WHERE ${dialect.inList('m.id', '$1')} GROUP BY m.id`,
    [dialect.listParam(messageIds)],
  )
  for (const row of rows) statuses.set(row.message_id, statusOf(Number(row.status)))
  return statuses
}

/**
 * Marks one message READ for one recipient, out of order: an exception row, since the watermark
 * cannot say it. False when they are not a recipient, or it was READ already.
 */
export async function markReadOutOfOrder(
  tx: SqlExecutor,
  message: { conversationId: string; seq: number; senderId: string },
  memberId: string,
  at: number,
): Promise<boolean> {
  if (memberId === message.senderId) return false
  const [member] = await tx.query<{ joined_after_seq: number; read_up_to_seq: number }>(
    'SELECT joined_after_seq, read_up_to_seq FROM members WHERE conversation_id = $1 AND member_id = $2',
    [message.conversationId, memberId],
  )
  if (!member || Number(member.joined_after_seq) >= message.seq || Number(member.read_up_to_seq) >= message.seq) return false
  const changed = await tx.run(
    `INSERT INTO receipts (conversation_id, seq, member_id, status, delivered_at, read_at) VALUES ($1, $2, $3, 3, $4, $4)
     ON CONFLICT (conversation_id, seq, member_id) DO UPDATE SET status = 3,
       delivered_at = COALESCE(receipts.delivered_at, excluded.delivered_at), read_at = COALESCE(receipts.read_at, excluded.read_at)
     WHERE receipts.status < 3`,
    [message.conversationId, message.seq, memberId, at],
  )
  return changed > 0
}
