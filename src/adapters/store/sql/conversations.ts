/** @module Conversations and membership on the shared SQL store. */
import { randomUUID } from 'node:crypto'
import { errors } from '../../../core/errors.js'
import type { ConversationSummary, DomainEvent, Member, NewConversation } from '../../../core/model.js'
import type { ConversationStore } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlExecutor } from './driver.js'
import { insertOutboxEvent } from './outbox.js'
import { jsonOrNull, messageColumns, toConversation, toMember, toMessage } from './rows.js'

export interface SqlConversationStoreOptions {
  /** Called after a committed write that added outbox events. */
  readonly onOutboxWrite: () => void
}

/** The key that makes a private conversation unique per pair of members, whichever comes first. */
const pairKeyOf = (memberIds: readonly string[]): string => [...memberIds].sort().join('|')

export function pairKey(input: NewConversation): string | null {
  return input.type === 'private' ? pairKeyOf(input.members.map((m) => m.id)) : null
}

async function insertMember(
  tx: SqlExecutor,
  conversationId: string,
  member: NewConversation['members'][number],
  now: number,
  joinedAfterSeq: number,
): Promise<number> {
  return tx.run(
    `INSERT INTO members (conversation_id, member_id, kind, role, joined_at, joined_after_seq)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conversation_id, member_id) DO NOTHING`,
    [conversationId, member.id, member.kind, member.role, now, joinedAfterSeq],
  )
}

const lastMessageColumns = messageColumns
  .split(', ')
  .map((column) => `lm.${column} AS lm_${column}`)
  .join(', ')

export function createSqlConversationStore(
  db: SqlDriver,
  dialect: SqlDialect,
  options: SqlConversationStoreOptions,
): ConversationStore {
  const written = <T>(result: T, wrote: boolean): T => {
    if (wrote) options.onOutboxWrite()
    return result
  }
  const getConversation = async (id: string) => {
    const [row] = await db.query('SELECT * FROM conversations WHERE id = $1', [id])
    return row && toConversation(row)
  }

  return {
    getConversation,

    async createConversation(input) {
      const key = pairKey(input)
      const created = await db.transaction(async (tx) => {
        const inserted = await tx.run(
          `INSERT INTO conversations (id, type, title, metadata, pair_key, created_by, created_at, last_seq, last_activity_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7) ON CONFLICT DO NOTHING`,
          [input.id, input.type, input.title, jsonOrNull(input.metadata), key, input.createdBy, input.createdAt],
        )
        if (inserted === 0) return false
        for (const member of input.members) await insertMember(tx, input.id, member, input.createdAt, 0)
        const event: DomainEvent = {
          type: 'conversation.created',
          conversationId: input.id,
          conversationType: input.type,
          title: input.title,
          metadata: input.metadata,
          createdBy: input.createdBy,
          members: input.members.map(({ kind, id, role }) => ({ kind, id, role })),
          at: input.createdAt,
        }
        await insertOutboxEvent(tx, `conversation.created:${input.id}`, event, input.createdAt)
        return true
      })
      if (written(created, created)) return { conversation: (await getConversation(input.id))!, created: true }
      const [row] = await db.query('SELECT * FROM conversations WHERE pair_key = $1', [key])
      if (!row) throw new Error(`conversation insert conflicted but no pair ${String(key)} exists`)
      return { conversation: toConversation(row), created: false }
    },

    async findPrivateConversation(memberA, memberB) {
      const [row] = await db.query('SELECT * FROM conversations WHERE pair_key = $1', [pairKeyOf([memberA, memberB])])
      return row && toConversation(row)
    },

    async getMember(conversationId, memberId) {
      const [row] = await db.query('SELECT * FROM members WHERE conversation_id = $1 AND member_id = $2', [
        conversationId,
        memberId,
      ])
      return row && toMember(row)
    },

    async listMembers(conversationId) {
      const rows = await db.query('SELECT * FROM members WHERE conversation_id = $1 ORDER BY joined_at, member_id', [
        conversationId,
      ])
      return rows.map(toMember)
    },

    async listMembersOf(conversationIds) {
      const byConversation = new Map<string, Member[]>()
      if (conversationIds.length === 0) return byConversation
      const rows = await db.query(
        `SELECT * FROM members WHERE ${dialect.inList('conversation_id', '$1')} ORDER BY conversation_id, joined_at, member_id`,
        [dialect.listParam([...new Set(conversationIds)])],
      )
      for (const row of rows) {
        const member = toMember(row)
        const id = String(row['conversation_id'])
        const list = byConversation.get(id)
        if (list) list.push(member)
        else byConversation.set(id, [member])
      }
      return byConversation
    },

    async listConversations(memberId, { limit, cursor }) {
      const params: (string | number)[] = [memberId, limit]
      let after = ''
      if (cursor) {
        params.push(cursor.lastActivityAt, cursor.id)
        after = 'AND (c.last_activity_at < $3 OR (c.last_activity_at = $3 AND c.id < $4))'
      }
      // Unread: messages from others above the read watermark, and sent after the member joined.
      const rows = await db.query(
        `SELECT c.*, ${lastMessageColumns},
           (SELECT COUNT(*) FROM messages x
             WHERE x.conversation_id = c.id AND x.sender_id <> m.member_id
               AND x.seq > m.read_up_to_seq AND x.seq > m.joined_after_seq) AS unread_count
         FROM members m
         JOIN conversations c ON c.id = m.conversation_id
         LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq
         WHERE m.member_id = $1 ${after}
         ORDER BY c.last_activity_at DESC, c.id DESC
         LIMIT $2`,
        params,
      )
      return rows.map(
        (row): ConversationSummary => ({
          conversation: toConversation(row),
          lastMessage: row['lm_id'] == null ? null : toMessage(row, 'lm_'),
          unreadCount: Number(row['unread_count']),
        }),
      )
    },

    async updateConversation(conversationId, changes, now) {
      const updated = await db.transaction(async (tx) => {
        const [row] = await tx.query(`SELECT * FROM conversations WHERE id = $1 ${dialect.forUpdate}`, [conversationId])
        if (!row) return undefined
        const before = toConversation(row)
        const title = changes.title === undefined ? before.title : changes.title
        const metadata = changes.metadata === undefined ? before.metadata : changes.metadata
        await tx.run('UPDATE conversations SET title = $2, metadata = $3 WHERE id = $1', [conversationId, title, jsonOrNull(metadata)])
        const event: DomainEvent = { type: 'conversation.updated', conversationId, title, metadata, at: now }
        await insertOutboxEvent(tx, `conversation.updated:${conversationId}:${randomUUID()}`, event, now)
        return { ...before, title, metadata }
      })
      return written(updated, updated !== undefined)
    },

    async addMembers(conversationId, members, { maxMembers, now }) {
      const added = await db.transaction(async (tx) => {
        const [conversation] = await tx.query<{ last_seq: number }>(
          `SELECT last_seq FROM conversations WHERE id = $1 ${dialect.forUpdate}`,
          [conversationId],
        )
        if (!conversation) throw errors.conversationNotFound(conversationId)
        const added: string[] = []
        for (const member of members) {
          const changed = await insertMember(tx, conversationId, member, now, Number(conversation.last_seq))
          if (changed > 0) added.push(member.id)
        }
        const [count] = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM members WHERE conversation_id = $1', [
          conversationId,
        ])
        // Throwing rolls the inserts back, so a refused request changes nothing.
        if (Number(count?.n) > maxMembers) throw errors.memberLimitReached(maxMembers)
        if (added.length > 0) {
          await tx.run('UPDATE conversations SET last_activity_at = $2 WHERE id = $1', [conversationId, now])
        }
        const rows = await tx.query(
          `SELECT * FROM members WHERE conversation_id = $1 AND ${dialect.inList('member_id', '$2')}`,
          [conversationId, dialect.listParam(added)],
        )
        const joined = rows.map(toMember) as Member[]
        if (joined.length > 0) {
          const event: DomainEvent = {
            type: 'member.joined',
            conversationId,
            members: joined.map(({ kind, id, role, joinedAfterSeq }) => ({ kind, id, role, joinedAfterSeq })),
            at: now,
          }
          await insertOutboxEvent(tx, `member.joined:${conversationId}:${randomUUID()}`, event, now)
        }
        return joined
      })
      return written(added, added.length > 0)
    },

    async removeMember(conversationId, memberId, now) {
      const removed = await db.transaction(async (tx) => {
        const removed = await tx.run('DELETE FROM members WHERE conversation_id = $1 AND member_id = $2', [
          conversationId,
          memberId,
        ])
        if (removed > 0) {
          await tx.run('UPDATE conversations SET last_activity_at = $2 WHERE id = $1', [conversationId, now])
          const event: DomainEvent = { type: 'member.left', conversationId, memberId, at: now }
          await insertOutboxEvent(tx, `member.left:${conversationId}:${randomUUID()}`, event, now)
        }
        return removed > 0
      })
      return written(removed, removed)
    },

    async listMemberships(memberId) {
      const rows = await db.query(
        `SELECT m.conversation_id, c.last_seq, m.joined_after_seq, m.delivered_up_to_seq, m.read_up_to_seq
         FROM members m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.member_id = $1 ORDER BY c.last_activity_at DESC, c.id`,
        [memberId],
      )
      return rows.map((row) => ({
        conversationId: String(row['conversation_id']),
        lastSeq: Number(row['last_seq']),
        joinedAfterSeq: Number(row['joined_after_seq']),
        deliveredUpToSeq: Number(row['delivered_up_to_seq']),
        readUpToSeq: Number(row['read_up_to_seq']),
      }))
    },

    async listContacts(memberId, { maxConversationSize }) {
      const rows = await db.query(
        `SELECT DISTINCT u.id, u.last_seen_at
         FROM members mine
         JOIN members other ON other.conversation_id = mine.conversation_id
         JOIN users u ON u.id = other.member_id
         WHERE mine.member_id = $1 AND other.member_id <> $1 AND other.kind = 'user'
           AND (SELECT COUNT(*) FROM members n WHERE n.conversation_id = mine.conversation_id) <= $2
         ORDER BY u.id`,
        [memberId, maxConversationSize],
      )
      return rows.map((row) => ({
        userId: String(row['id']),
        lastSeenAt: row['last_seen_at'] == null ? null : Number(row['last_seen_at']),
      }))
    },
  }
}
