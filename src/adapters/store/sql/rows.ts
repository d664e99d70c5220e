/**
 * @module Row ↔ domain mapping shared by both engines. PostgreSQL returns BIGINT as a number here
 * (the adapter installs a parser), SQLite returns numbers already.
 */
import type {
  Conversation,
  ConversationType,
  Member,
  MemberKind,
  MemberRole,
  Message,
  MessagePayload,
  User,
} from '../../../core/model.js'
import type { SqlRow } from './driver.js'

const text = (row: SqlRow, key: string): string => String(row[key])
const nullableText = (row: SqlRow, key: string): string | null => (row[key] == null ? null : String(row[key]))
const int = (row: SqlRow, key: string): number => Number(row[key])

function jsonObject(value: unknown): Readonly<Record<string, unknown>> | null {
  return value == null ? null : (JSON.parse(String(value)) as Record<string, unknown>)
}

export function toUser(row: SqlRow): User {
  return {
    id: text(row, 'id'),
    username: text(row, 'username'),
    email: nullableText(row, 'email'),
    displayName: text(row, 'display_name'),
    passwordHash: text(row, 'password_hash'),
    createdAt: int(row, 'created_at'),
    // PostgreSQL returns a boolean, SQLite 0 or 1.
    isAdmin: Boolean(row['is_admin']),
  }
}

export function toConversation(row: SqlRow): Conversation {
  return {
    id: text(row, 'id'),
    type: text(row, 'type') as ConversationType,
    title: nullableText(row, 'title'),
    metadata: jsonObject(row['metadata']),
    createdBy: text(row, 'created_by'),
    createdAt: int(row, 'created_at'),
    lastSeq: int(row, 'last_seq'),
    lastActivityAt: int(row, 'last_activity_at'),
  }
}

export function toMember(row: SqlRow): Member {
  return {
    id: text(row, 'member_id'),
    kind: text(row, 'kind') as MemberKind,
    role: text(row, 'role') as MemberRole,
    joinedAt: int(row, 'joined_at'),
    joinedAfterSeq: int(row, 'joined_after_seq'),
    deliveredUpToSeq: int(row, 'delivered_up_to_seq'),
    readUpToSeq: int(row, 'read_up_to_seq'),
  }
}

/** `prefix` reads a message joined under aliased columns (`lm_id`, `lm_seq` …). */
export function toMessage(row: SqlRow, prefix = ''): Message {
  return {
    id: text(row, `${prefix}id`),
    conversationId: text(row, `${prefix}conversation_id`),
    seq: int(row, `${prefix}seq`),
    senderId: text(row, `${prefix}sender_id`),
    payload: JSON.parse(text(row, `${prefix}payload`)) as MessagePayload,
    metadata: jsonObject(row[`${prefix}metadata`]),
    bodyHash: text(row, `${prefix}body_hash`),
    createdAt: int(row, `${prefix}created_at`),
  }
}

export const messageColumns = 'id, conversation_id, seq, sender_id, payload, metadata, body_hash, created_at'

export function jsonOrNull(value: unknown): string | null {
  return value == null ? null : JSON.stringify(value)
}
