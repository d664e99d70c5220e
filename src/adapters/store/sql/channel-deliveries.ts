/**
 * @module Channel routing on the shared SQL store: per-recipient delivery rows (the connector
 * workers' queue, in seq order per conversation and address), and external recipients' receipts
 * moved by platform callbacks, forward only.
 *
 * Receipt rows of external recipients use `receipts.status` 1 SENT (the platform accepted it),
 * 2 DELIVERED, 3 READ and 0 FAILED (with `reason`): a watermark cannot say these, since a platform
 * reports per message, out of order and twice.
 */
import { randomUUID } from 'node:crypto'
import type { DomainEvent } from '../../../core/model.js'
import type { ChannelDelivery, ChannelInboundRecord, ChannelStatusUpdate, ChannelStore, QueuedChannelInbound } from '../../../ports/channel-store.js'
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow } from './driver.js'
import type { Migration } from './migration.js'
import { identitiesIndex, identitiesTable } from './identities.js'
import { insertOutboxEvent } from './outbox.js'

/**
 * Version 11. `state` is pending | sent | failed (and queued since version 12). `claimed_until` is the lease of the worker sending
 * it. `channel_events` remembers every platform callback applied (dedup), and keeps a status that
 * arrived before its send was recorded (`pending_pmid`) until it is.
 */
export const channelDeliveriesMigration = (ids: { key: string; bigint: string; nowMs: string }): Migration => ({
  version: 11,
  name: 'channel-deliveries',
  sql: [
    `CREATE TABLE channel_deliveries (
      position ${ids.key},
      message_id TEXT NOT NULL,
      address TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      seq ${ids.bigint} NOT NULL,
      channel TEXT NOT NULL,
      account TEXT NOT NULL,
      state TEXT NOT NULL,
      platform_message_id TEXT,
      attempts INTEGER NOT NULL,
      next_attempt_at ${ids.bigint} NOT NULL,
      claimed_until ${ids.bigint} NOT NULL,
      last_error TEXT,
      event_id TEXT NOT NULL,
      created_at ${ids.bigint} NOT NULL,
      sent_at ${ids.bigint},
      UNIQUE (message_id, address)
    )`,
    `CREATE INDEX channel_deliveries_queue ON channel_deliveries (conversation_id, address, state, seq)`,
    `CREATE INDEX channel_deliveries_due ON channel_deliveries (state, next_attempt_at)`,
    `CREATE INDEX channel_deliveries_platform ON channel_deliveries (platform_message_id)`,
    `CREATE TABLE channel_events (
      channel TEXT NOT NULL,
      event_id TEXT NOT NULL,
      at ${ids.bigint} NOT NULL,
      pending_pmid TEXT,
      body TEXT,
      PRIMARY KEY (channel, event_id)
    )`,
    `CREATE INDEX channel_events_pending ON channel_events (pending_pmid)`,
    `CREATE TABLE channel_inbound (
      position ${ids.key},
      channel TEXT NOT NULL,
      account TEXT NOT NULL,
      event_id TEXT NOT NULL,
      platform_message_id TEXT NOT NULL,
      address TEXT NOT NULL,
      message_id TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      at ${ids.bigint} NOT NULL,
      UNIQUE (channel, event_id)
    )`,
    `CREATE INDEX channel_inbound_platform ON channel_inbound (platform_message_id)`,
    `CREATE INDEX channel_inbound_contact ON channel_inbound (channel, account, address, at)`,
    `CREATE INDEX channel_deliveries_contact ON channel_deliveries (channel, account, address, created_at)`,
    `ALTER TABLE receipts ADD COLUMN reason TEXT`,
    identitiesTable(ids.bigint),
    `CREATE TABLE message_routes (message_id TEXT PRIMARY KEY, channels TEXT NOT NULL)`,
    // When channel routing began: a new consumer group on a retained bus stream (NATS) would otherwise
    // send contacts every message still retained from before the upgrade.
    `CREATE TABLE channel_routing (id INTEGER PRIMARY KEY, since ${ids.bigint} NOT NULL)`,
    `INSERT INTO channel_routing (id, since) VALUES (1, ${ids.nowMs})`,
    identitiesIndex,
  ],
})

/**
 * Version 12: only the head of each (conversation, address) queue is `pending`; the deliveries
 * behind it wait as `queued` and the head's end (sent or failed) promotes the next. The claim then
 * reads the due heads alone, where it used to test every pending row against the rows before it:
 * a contact with a thousand messages waiting cost a thousand rows on every claim.
 */
export const channelQueueHeadsMigration: Migration = {
  version: 12,
  name: 'channel-queue-heads',
  sql: [
    `UPDATE channel_deliveries SET state = 'queued' WHERE state = 'pending' AND EXISTS (
       SELECT 1 FROM channel_deliveries e WHERE e.conversation_id = channel_deliveries.conversation_id
         AND e.address = channel_deliveries.address AND e.state = 'pending' AND e.seq < channel_deliveries.seq)`,
  ],
}

/**
 * Version 13: contacts' messages with a file wait here while the file is fetched, so the platform's
 * webhook is answered at once; the messages of a contact that arrive meanwhile wait behind them.
 */
export const channelInboundQueueMigration = (ids: { key: string; bigint: string }): Migration => ({
  version: 13,
  name: 'channel-inbound-queue',
  sql: [
    `CREATE TABLE channel_inbound_queue (
      position ${ids.key},
      channel TEXT NOT NULL,
      account TEXT NOT NULL,
      address TEXT NOT NULL,
      event_id TEXT NOT NULL,
      message TEXT NOT NULL,
      at ${ids.bigint} NOT NULL,
      UNIQUE (channel, event_id)
    )`,
    `CREATE INDEX channel_inbound_queue_contact ON channel_inbound_queue (channel, account, address)`,
  ],
})

const statusCode = { FAILED: 0, SENT: 1, DELIVERED: 2, READ: 3 } as const
type RowStatus = keyof typeof statusCode

const columns = 'position, message_id, address, conversation_id, seq, channel, account, attempts, event_id'

function toDelivery(row: SqlRow): ChannelDelivery {
  return {
    id: String(row['position']),
    messageId: String(row['message_id']),
    address: String(row['address']),
    conversationId: String(row['conversation_id']),
    seq: Number(row['seq']),
    channel: String(row['channel']),
    account: String(row['account']),
    attempts: Number(row['attempts']),
    eventId: String(row['event_id']),
  }
}

function toInbound(row: SqlRow): ChannelInboundRecord {
  return {
    channel: String(row['channel']),
    account: String(row['account']),
    eventId: String(row['event_id']),
    platformMessageId: String(row['platform_message_id']),
    address: String(row['address']),
    messageId: String(row['message_id']),
    conversationId: String(row['conversation_id']),
    at: Number(row['at']),
  }
}

interface Target {
  readonly message_id: string
  readonly conversation_id: string
  readonly seq: number
  readonly address: string
}

/**
 * Moves one external recipient's receipt to `status` if that is forward: up the SENT → DELIVERED →
 * READ ladder, or to FAILED from SENT only; never out of FAILED. With a `message.status` event.
 */
async function moveReceipt(tx: SqlExecutor, target: Target, status: RowStatus, at: number, reason?: string): Promise<boolean> {
  const code = statusCode[status]
  const params = [target.conversation_id, Number(target.seq), target.address, code, code >= 2 ? at : null, code === 3 ? at : null, reason ?? null]
  const changed = await tx.run(
    `INSERT INTO receipts (conversation_id, seq, member_id, status, delivered_at, read_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (conversation_id, seq, member_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
       delivered_at = COALESCE(receipts.delivered_at, excluded.delivered_at), read_at = COALESCE(receipts.read_at, excluded.read_at)
     WHERE ${code === 0 ? 'receipts.status = 1' : 'receipts.status <> 0 AND receipts.status < excluded.status'}`,
    params,
  )
  if (changed === 0) return false
  const event: DomainEvent = {
    type: 'message.status',
    conversationId: target.conversation_id,
    memberId: target.address,
    status,
    upToSeq: Number(target.seq),
    messageId: target.message_id,
    at,
    ...(reason !== undefined ? { reason } : {}),
  }
  await insertOutboxEvent(tx, `message.status:${randomUUID()}`, event, at)
  return true
}

const targetColumns = 'message_id, conversation_id, seq, address, position, channel, account, sent_at'

/** The sent deliveries a status callback covers. */
async function targetsOf(tx: SqlExecutor, update: ChannelStatusUpdate): Promise<Target[]> {
  const { target } = update
  if (target.kind === 'up_to_time') {
    return tx.query<Target & SqlRow>(
      `SELECT ${targetColumns} FROM channel_deliveries
       WHERE channel = $1 AND account = $2 AND address = $3 AND state = 'sent' AND sent_at <= $4`,
      [update.channel, update.account, update.address, target.at],
    )
  }
  const [found] = await tx.query<Target & SqlRow>(
    `SELECT ${targetColumns} FROM channel_deliveries WHERE platform_message_id = $1 AND channel = $2`,
    [target.platformMessageId, update.channel],
  )
  if (!found || target.kind === 'message') return found ? [found] : []
  return tx.query<Target & SqlRow>(
    `SELECT ${targetColumns} FROM channel_deliveries
     WHERE channel = $1 AND account = $2 AND address = $3 AND state = 'sent' AND position <= $4`,
    [update.channel, String(found['account']), found.address, Number(found['position'])],
  )
}

async function applyTo(tx: SqlExecutor, targets: readonly Target[], update: ChannelStatusUpdate): Promise<number> {
  let changes = 0
  for (const target of targets) if (await moveReceipt(tx, target, update.status, update.at, update.reason)) changes += 1
  return changes
}

/** A (conversation, address) queue: its rows change one transaction at a time. */
interface QueueKey {
  readonly conversation_id: string
  readonly address: string
}

/**
 * Serialises the writes that decide a queue's head: a new delivery joining it and the head's end.
 * Without it, on PostgreSQL, a delivery queued while the head is being recorded as sent would see
 * the old head and wait as `queued`, and the record would see no one behind it to promote.
 */
async function lockQueue(tx: SqlExecutor, dialect: SqlDialect, queue: QueueKey): Promise<void> {
  if (dialect.keyLock) await tx.query(dialect.keyLock, [`channel-queue:${queue.conversation_id}:${queue.address}`])
}

/** The head of `queue` has ended (sent or failed): the lowest waiting seq becomes the head. */
async function promoteNext(tx: SqlExecutor, queue: QueueKey): Promise<void> {
  await tx.run(
    `UPDATE channel_deliveries SET state = 'pending' WHERE position = (
       SELECT position FROM channel_deliveries WHERE conversation_id = $1 AND address = $2 AND state = 'queued' ORDER BY seq LIMIT 1)`,
    [queue.conversation_id, queue.address],
  )
}

export function createSqlChannelStore(db: SqlDriver, dialect: SqlDialect, options: { readonly onOutboxWrite: () => void }): ChannelStore {
  /** Runs a write that may add outbox events, then wakes the relay if it did. */
  const writing = async <T>(work: (tx: SqlExecutor) => Promise<T>, wrote: (result: T) => boolean): Promise<T> => {
    const result = await db.transaction(work)
    if (wrote(result)) options.onOutboxWrite()
    return result
  }

  return {
    async queueChannelDeliveries(drafts, eventId, now) {
      if (drafts.length === 0) return 0
      return db.transaction(async (tx) => {
        let queued = 0
        for (const d of drafts) {
          await lockQueue(tx, dialect, { conversation_id: d.conversationId, address: d.address })
          // The head when nothing is ahead of it in its queue; else it waits its turn.
          const state = `CASE WHEN EXISTS (SELECT 1 FROM channel_deliveries q WHERE q.conversation_id = $3 AND q.address = $2
            AND q.state IN ('pending', 'queued')) THEN 'queued' ELSE 'pending' END`
          // A replayed dead letter (another event id) restarts a failed delivery; a redelivery of the same event does not.
          const restarted = await tx.run(
            `UPDATE channel_deliveries SET state = ${state}, attempts = 0, next_attempt_at = $5, claimed_until = 0, event_id = $4, last_error = NULL
             WHERE message_id = $1 AND address = $2 AND conversation_id = $3 AND state = 'failed' AND event_id <> $4`,
            [d.messageId, d.address, d.conversationId, eventId, now],
          )
          if (restarted > 0) {
            await tx.run('DELETE FROM receipts WHERE conversation_id = $1 AND seq = $2 AND member_id = $3 AND status = 0', [d.conversationId, d.seq, d.address])
            queued += 1
            continue
          }
          queued += await tx.run(
            `INSERT INTO channel_deliveries (message_id, address, conversation_id, seq, channel, account, state, attempts, next_attempt_at, claimed_until, event_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, ${state}, 0, $7, 0, $8, $7) ON CONFLICT (message_id, address) DO NOTHING`,
            [d.messageId, d.address, d.conversationId, d.seq, d.channel, d.account, now, eventId],
          )
        }
        return queued
      })
    },

    async claimChannelDeliveries({ now, limit, leaseMs, channels }) {
      if (channels.length === 0) return []
      return db.transaction(async (tx) => {
        const marks = channels.map((_, i) => `$${i + 3}`).join(', ')
        // Only heads are pending (the rest wait as queued): seq order per recipient, and a read of the due heads alone.
        const heads = await tx.query(
          `SELECT ${columns} FROM channel_deliveries d
           WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND d.claimed_until <= $1 AND d.channel IN (${marks})
           ORDER BY d.next_attempt_at, d.position LIMIT $2`,
          [now, limit, ...channels],
        )
        const claimed: ChannelDelivery[] = []
        for (const row of heads) {
          // Another process may have leased it since the read: the conditional update decides.
          const took = await tx.run(
            'UPDATE channel_deliveries SET claimed_until = $1 WHERE position = $2 AND claimed_until <= $3 AND state = $4',
            [now + leaseMs, Number(row['position']), now, 'pending'],
          )
          if (took > 0) claimed.push(toDelivery(row))
        }
        return claimed
      })
    },

    async recordChannelSent(id, sent) {
      await writing(
        async (tx) => {
          const [row] = await tx.query<Target & SqlRow>(
            `UPDATE channel_deliveries SET state = 'sent', platform_message_id = $2, sent_at = $3, attempts = attempts + 1, claimed_until = 0
             WHERE position = $1 AND state = 'pending' RETURNING ${targetColumns}`,
            [Number(id), sent.platformMessageId, sent.at],
          )
          if (!row) return false
          await lockQueue(tx, dialect, row)
          await promoteNext(tx, row)
          let wrote = await moveReceipt(tx, row, sent.status, sent.at)
          // Callbacks that raced ahead of this record wait for it (a platform answering slower than it calls back).
          const early = await tx.query<{ body: string }>(
            'UPDATE channel_events SET pending_pmid = NULL WHERE pending_pmid = $1 AND channel = $2 RETURNING body',
            [sent.platformMessageId, String(row['channel'])],
          )
          for (const { body } of early) {
            const update = JSON.parse(body) as ChannelStatusUpdate
            if ((await applyTo(tx, await targetsOf(tx, update), update)) > 0) wrote = true
          }
          return wrote
        },
        (wrote) => wrote,
      )
    },

    async recordChannelRetry(id, retry) {
      await db.run(
        `UPDATE channel_deliveries SET attempts = $2, next_attempt_at = $3, last_error = $4, claimed_until = 0
         WHERE position = $1 AND state = 'pending'`,
        [Number(id), retry.attempts, retry.nextAttemptAt, retry.error],
      )
    },

    async recordChannelFailed(id, failed) {
      await writing(
        async (tx) => {
          const [row] = await tx.query<Target & SqlRow>(
            `UPDATE channel_deliveries SET state = 'failed', attempts = $2, last_error = $3, claimed_until = 0
             WHERE position = $1 AND state = 'pending' RETURNING ${targetColumns}`,
            [Number(id), failed.attempts, failed.reason],
          )
          if (!row) return false
          await lockQueue(tx, dialect, row)
          await promoteNext(tx, row)
          const letter = failed.deadLetter
          await tx.run(
            `INSERT INTO dead_letters (id, consumer_group, event_id, body, error, attempts, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
            [letter.id, letter.group, letter.event.id, JSON.stringify(letter.event), letter.error, letter.attempts, letter.at],
          )
          return moveReceipt(tx, row, 'FAILED', failed.at, failed.reason)
        },
        (wrote) => wrote,
      )
    },

    async applyChannelStatus(update) {
      return writing(
        async (tx) => {
          const seen = await tx.run('INSERT INTO channel_events (channel, event_id, at) VALUES ($1, $2, $3) ON CONFLICT (channel, event_id) DO NOTHING', [
            update.channel,
            update.eventId,
            update.at,
          ])
          if (seen === 0) return 0
          const targets = await targetsOf(tx, update)
          if (targets.length === 0 && update.target.kind !== 'up_to_time') {
            await tx.run('UPDATE channel_events SET pending_pmid = $3, body = $4 WHERE channel = $1 AND event_id = $2', [
              update.channel,
              update.eventId,
              update.target.platformMessageId,
              JSON.stringify(update),
            ])
            return 0
          }
          return applyTo(tx, targets, update)
        },
        (changes) => changes > 0,
      )
    },

    async channelRoutingSince() {
      const [row] = await db.query<{ since: number }>('SELECT since FROM channel_routing WHERE id = 1')
      return Number(row?.since ?? 0)
    },

    async saveMessageRoutes(messageId, channels) {
      await db.run('INSERT INTO message_routes (message_id, channels) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING', [messageId, JSON.stringify(channels)])
    },

    async getMessageRoutes(messageIds) {
      const routes = new Map<string, readonly string[]>()
      if (messageIds.length === 0) return routes
      const rows = await db.query<{ message_id: string; channels: string }>(
        `SELECT message_id, channels FROM message_routes WHERE ${dialect.inList('message_id', '$1')}`,
        [dialect.listParam(messageIds)],
      )
      for (const row of rows) routes.set(row.message_id, JSON.parse(row.channels) as string[])
      return routes
    },

    async findChannelInbound(channel, eventId) {
      const [row] = await db.query(
        'SELECT channel, account, event_id, platform_message_id, address, message_id, conversation_id, at FROM channel_inbound WHERE channel = $1 AND event_id = $2',
        [channel, eventId],
      )
      return row && toInbound(row)
    },

    async recordChannelInbound(r) {
      await db.run(
        `INSERT INTO channel_inbound (channel, account, event_id, platform_message_id, address, message_id, conversation_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (channel, event_id) DO NOTHING`,
        [r.channel, r.account, r.eventId, r.platformMessageId, r.address, r.messageId, r.conversationId, r.at],
      )
    },

    async findChannelConversation({ channel, account, address, replyTo, member: memberId = address }) {
      // Only where the contact (or the user whose identity it is) is still a member: a conversation they left cannot take their message.
      const member = `EXISTS (SELECT 1 FROM members mb WHERE mb.conversation_id = x.conversation_id AND mb.member_id = $4)`
      if (replyTo) {
        const [row] = await db.query<{ conversation_id: string }>(
          `SELECT conversation_id FROM (
             SELECT conversation_id FROM channel_deliveries WHERE channel = $1 AND platform_message_id = $3 AND address = $2
             UNION ALL SELECT conversation_id FROM channel_inbound WHERE channel = $1 AND platform_message_id = $3) x
           WHERE ${member} LIMIT 1`,
          [channel, address, replyTo, memberId],
        )
        if (row) return row.conversation_id
      }
      const [last] = await db.query<{ conversation_id: string }>(
        `SELECT conversation_id FROM (
           SELECT conversation_id, created_at AS at FROM channel_deliveries WHERE channel = $1 AND address = $2 AND account = $3
           UNION ALL SELECT conversation_id, at FROM channel_inbound WHERE channel = $1 AND address = $2 AND account = $3) x
         WHERE ${member} ORDER BY at DESC LIMIT 1`,
        [channel, address, account, memberId],
      )
      return last?.conversation_id
    },

    async queueChannelInbound(item) {
      const inserted = await db.run(
        `INSERT INTO channel_inbound_queue (channel, account, address, event_id, message, at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (channel, event_id) DO NOTHING`,
        [item.channel, item.account, item.address, item.eventId, item.message, item.at],
      )
      return inserted > 0
    },

    async hasQueuedChannelInbound({ channel, account, address }) {
      const rows = await db.query('SELECT 1 AS one FROM channel_inbound_queue WHERE channel = $1 AND account = $2 AND address = $3 LIMIT 1', [channel, account, address])
      return rows.length > 0
    },

    async listQueuedChannelInbound(limit) {
      const rows = await db.query('SELECT position, channel, account, address, event_id, message, at FROM channel_inbound_queue ORDER BY position LIMIT $1', [limit])
      return rows.map(
        (row): QueuedChannelInbound => ({
          id: String(row['position']),
          channel: String(row['channel']),
          account: String(row['account']),
          address: String(row['address']),
          eventId: String(row['event_id']),
          message: String(row['message']),
          at: Number(row['at']),
        }),
      )
    },

    async deleteQueuedChannelInbound(id) {
      await db.run('DELETE FROM channel_inbound_queue WHERE position = $1', [Number(id)])
    },

    async lastChannelInboundAt({ channel, account, address }) {
      const [row] = await db.query<{ at: number | null }>('SELECT MAX(at) AS at FROM channel_inbound WHERE channel = $1 AND account = $2 AND address = $3', [
        channel,
        account,
        address,
      ])
      return row?.at === null || row?.at === undefined ? undefined : Number(row.at)
    },

    async findChannelOwner(username) {
      const [row] = username
        ? await db.query<{ id: string }>('SELECT id FROM users WHERE username_key = $1', [username.toLowerCase()])
        : await db.query<{ id: string }>('SELECT id FROM users WHERE is_admin = TRUE ORDER BY created_at, id LIMIT 1')
      return row?.id
    },
  }
}
