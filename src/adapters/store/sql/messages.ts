/** @module Messages and watermarks on the shared SQL store; receipts derive from them (receipts.ts). */
import { randomUUID } from 'node:crypto'
import type { DomainEvent, NewMessage } from '../../../core/model.js'
import type { AppendResult, MessageStore, WatermarkChange } from '../../../ports/store.js'
import { createBatcher } from './append-batcher.js'
import type { SqlDialect, SqlDriver, SqlExecutor } from './driver.js'
import { jsonOrNull, messageColumns, toMessage } from './rows.js'
import { insertOutboxEvent } from './outbox.js'
import { aggregateStatuses, getReceipts, markReadOutOfOrder, recordAdvance } from './receipts.js'

type MessageCreated = Extract<DomainEvent, { type: 'message.created' }>

export interface SqlMessageStoreOptions {
  readonly maxBatch: number
  readonly concurrency: number
  readonly onOutboxWrite: () => void
}

/**
 * The sender's watermark (delivered or read) moved over their own messages up to $3: it stops
 * before the first message of someone else above it, which the sender has not acknowledged and
 * which still needs its receipt and status event; messages from before the sender joined do not
 * count. Forward only. Parameters: conversation id, sender id, seq.
 */
const ownWatermark = (column: string) => {
  const from = `CASE WHEN members.joined_after_seq > members.${column} THEN members.joined_after_seq ELSE members.${column} END`
  return `CASE WHEN ${column} >= $3 THEN ${column} ELSE COALESCE(
    (SELECT x.seq - 1 FROM messages x WHERE x.conversation_id = $1 AND x.seq > ${from} AND x.seq <= $3
       AND x.sender_id <> $2 ORDER BY x.seq LIMIT 1),
    CAST($3 AS BIGINT)) END`
}

const senderWatermarksSql = `
  UPDATE members SET delivered_up_to_seq = ${ownWatermark('delivered_up_to_seq')},
    read_up_to_seq = ${ownWatermark('read_up_to_seq')}
  WHERE conversation_id = $1 AND member_id = $2 AND read_up_to_seq < $3`

/**
 * PostgreSQL does a batch's per-conversation updates in one statement each (a round trip per
 * statement is most of an append's cost there); SQLite runs in-process, where a loop costs nothing.
 * Parameters: arrays of conversation ids, sender ids and seqs.
 */
const senderWatermarksBatchSql = `
  UPDATE members SET
    delivered_up_to_seq = ${ownWatermark('delivered_up_to_seq').replaceAll('$1', 'v.conversation_id').replaceAll('$2', 'v.sender_id').replaceAll('$3', 'v.seq')},
    read_up_to_seq = ${ownWatermark('read_up_to_seq').replaceAll('$1', 'v.conversation_id').replaceAll('$2', 'v.sender_id').replaceAll('$3', 'v.seq')}
  FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(conversation_id, sender_id, seq)
  WHERE members.conversation_id = v.conversation_id AND members.member_id = v.sender_id AND members.read_up_to_seq < v.seq`

const conversationsBatchSql = `
  UPDATE conversations SET last_seq = v.last_seq, last_activity_at = v.at
  FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(id, last_seq, at)
  WHERE conversations.id = v.id`

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
  /** Per conversation and sender, the last seq they appended in this batch. */
  const sent = new Map<string, { conversationId: string; senderId: string; seq: number }>()
  const results: AppendResult[] = []
  // Every sender's membership in one read; a pair not found is not a member.
  const senders = [...new Set(messages.map((m) => m.senderId))]
  const memberRows = await tx.query<{ conversation_id: string; member_id: string }>(
    `SELECT conversation_id, member_id FROM members WHERE ${dialect.inList('conversation_id', '$1')} AND ${dialect.inList('member_id', '$2')}`,
    [dialect.listParam(ids), dialect.listParam(senders)],
  )
  const members = new Set(memberRows.map((r) => `${r.conversation_id}|${r.member_id}`))
  for (const message of messages) {
    const current = lastSeq.get(message.conversationId)
    const isMember = current !== undefined && members.has(`${message.conversationId}|${message.senderId}`)
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
    await insertOutboxEvent(tx, `message.created:${message.id}`, event, message.createdAt, message.traceparent)
    const { conversationId, senderId } = message
    sent.set(`${conversationId}|${senderId}`, { conversationId, senderId, seq })
    results.push({ kind: 'created', message: { ...message, seq } })
  }
  // Once per sender and conversation, in key order (the same order in every batch).
  const own = [...sent.keys()].sort().map((key) => sent.get(key)!)
  const touched = [...lastActivity.keys()].sort()
  if (dialect.name === 'postgres') {
    if (own.length > 0) {
      await tx.run(senderWatermarksBatchSql, [own.map((o) => o.conversationId), own.map((o) => o.senderId), own.map((o) => String(o.seq))])
    }
    if (touched.length > 0) {
      await tx.run(conversationsBatchSql, [touched, touched.map((id) => String(lastSeq.get(id)!)), touched.map((id) => String(lastActivity.get(id)!))])
    }
  } else {
    for (const { conversationId, senderId, seq } of own) await tx.run(senderWatermarksSql, [conversationId, senderId, seq])
    for (const id of touched) {
      await tx.run('UPDATE conversations SET last_seq = $2, last_activity_at = $3 WHERE id = $1', [id, lastSeq.get(id)!, lastActivity.get(id)!])
    }
  }
  return results
}

/** One message's outcome within a batch: a failure is its own, not its neighbours'. */
type Settled = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown }

const unwrap = (settled: Settled): AppendResult => {
  if (settled.ok) return settled.result
  throw settled.error
}

/**
 * Runs batch writes so that seqs follow the order of the appendMessage calls: a batch starts only
 * once the earlier batches sharing one of its conversations are done. PostgreSQL writes several
 * batches at once, and without this a later batch could win the conversation's row lock first
 * (which would reorder a client's pipelined sends). The wait is one the row lock imposes anyway;
 * batches of other conversations still run side by side.
 */
function inCallOrder() {
  const tails = new Map<string, Promise<void>>()
  return <T>(conversationIds: readonly string[], write: () => Promise<T>): Promise<T> => {
    const before = new Set<Promise<void>>()
    for (const id of conversationIds) {
      const tail = tails.get(id)
      if (tail) before.add(tail)
    }
    const done = before.size === 0 ? write() : Promise.all(before).then(write)
    const tail = done.then(
      () => undefined,
      () => undefined,
    )
    for (const id of conversationIds) tails.set(id, tail)
    void tail.then(() => {
      for (const id of conversationIds) if (tails.get(id) === tail) tails.delete(id)
    })
    return done
  }
}

/** One watermark advance inside a transaction: the member row, its history row, its status event. */
async function advanceOne(tx: SqlExecutor, change: WatermarkChange): Promise<WatermarkChange | undefined> {
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
  const rank = change.status === 'READ' ? 3 : 2
  await recordAdvance(tx, { conversationId: change.conversationId, memberId: change.memberId, status: rank, upToSeq, at: change.at })
  const event: DomainEvent = { type: 'message.status', ...change, upToSeq, messageId: null }
  await insertOutboxEvent(tx, `message.status:${randomUUID()}`, event, change.at)
  return { ...change, upToSeq }
}

/**
 * A batch of advances in one transaction, member rows locked in one order (conversation, member)
 * so concurrent batches cannot deadlock; a member's own advances keep their call order (the sort
 * is stable), so the later of two wins as it would one by one.
 */
async function advanceAll(tx: SqlExecutor, changes: readonly WatermarkChange[]): Promise<(WatermarkChange | undefined)[]> {
  const key = (c: WatermarkChange) => `${c.conversationId}\u0000${c.memberId}`
  const order = changes.map((change, index) => ({ change, index })).sort((x, y) => (key(x.change) < key(y.change) ? -1 : key(x.change) > key(y.change) ? 1 : 0))
  const results: (WatermarkChange | undefined)[] = new Array(changes.length)
  for (const { change, index } of order) results[index] = await advanceOne(tx, change)
  return results
}

export function createSqlMessageStore(
  db: SqlDriver,
  dialect: SqlDialect,
  options: SqlMessageStoreOptions,
): MessageStore {
  const commit = async (messages: readonly NewMessage[]) => {
    const results = await db.transaction((tx) => appendAll(tx, dialect, messages))
    options.onOutboxWrite()
    return results
  }
  /**
   * The batch in one transaction or, should that fail, each message alone and in order, so only
   * the culprit sees its error. Done here rather than by the batcher's own retry so the retries
   * stay inside the call-order wait.
   */
  const writeSettled = async (batch: readonly NewMessage[]): Promise<Settled[]> => {
    try {
      return (await commit(batch)).map((result) => ({ ok: true, result }))
    } catch (error) {
      if (batch.length === 1) return [{ ok: false, error }]
      const settled: Settled[] = []
      for (const one of batch) {
        settled.push(
          await commit([one]).then(
            ([result]): Settled => ({ ok: true, result: result! }),
            (e: unknown): Settled => ({ ok: false, error: e }),
          ),
        )
      }
      return settled
    }
  }
  const ordered = inCallOrder()
  const append = createBatcher<NewMessage, Settled>({
    writeBatch: (batch) => ordered([...new Set(batch.map((m) => m.conversationId))], () => writeSettled(batch)),
    // writeBatch never fails (each message is settled on its own), so the batcher never needs this.
    writeOne: async (one) => (await ordered([one.conversationId], () => writeSettled([one])))[0]!,
    maxBatch: options.maxBatch,
    concurrency: options.concurrency,
  })

  // Acknowledgements arrive from every member of a conversation at once (a message to a group of
  // 1,000 brings up to 1,000 of them): they are group-committed like appends.
  const advanceBatch = async (changes: readonly WatermarkChange[]) => {
    const results = await db.transaction((tx) => advanceAll(tx, changes))
    if (results.some((r) => r !== undefined)) options.onOutboxWrite()
    return results
  }
  const advance = createBatcher<WatermarkChange, WatermarkChange | undefined>({
    writeBatch: advanceBatch,
    writeOne: async (one) => (await advanceBatch([one]))[0],
    maxBatch: options.maxBatch,
    concurrency: options.concurrency,
  })

  return {
    appendMessage: (message) => append(message).then(unwrap),

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

    getReceipts: (messageId) => getReceipts(db, messageId),

    aggregateStatuses: (messageIds) => aggregateStatuses(db, dialect, messageIds),

    advanceWatermark: (change) => advance(change),

    async markMessageRead(messageId, memberId, at) {
      const changed = await db.transaction(async (tx) => {
        const [row] = await tx.query(`SELECT ${messageColumns} FROM messages WHERE id = $1`, [messageId])
        if (!row) return false
        const message = toMessage(row)
        if (!(await markReadOutOfOrder(tx, message, memberId, at))) return false
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
  }
}
