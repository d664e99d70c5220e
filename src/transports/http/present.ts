/** @module Domain → JSON shapes of the API (snake_case, ISO-8601 times). */
import type { Conversation, DeliveryStatus, Member, Message, Receipt, User } from '../../core/model.js'

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

export function presentUser(user: User) {
  return {
    user_id: user.id,
    username: user.username,
    display_name: user.displayName,
    email: user.email,
    created_at: iso(user.createdAt),
  }
}

export function presentMember(member: Member) {
  return {
    member: member.id,
    kind: member.kind,
    role: member.role,
    joined_at: iso(member.joinedAt),
    delivered_up_to_seq: member.deliveredUpToSeq,
    read_up_to_seq: member.readUpToSeq,
  }
}

export function presentConversation(conversation: Conversation, members?: readonly Member[]) {
  return {
    conversation_id: conversation.id,
    type: conversation.type,
    title: conversation.title,
    metadata: conversation.metadata,
    created_by: conversation.createdBy,
    created_at: iso(conversation.createdAt),
    last_seq: conversation.lastSeq,
    last_activity_at: iso(conversation.lastActivityAt),
    ...(members ? { members: members.map(presentMember) } : {}),
  }
}

export function presentMessage(message: Message, status?: DeliveryStatus) {
  return {
    message_id: message.id,
    conversation_id: message.conversationId,
    seq: message.seq,
    sender_id: message.senderId,
    payload: message.payload,
    content: message.payload.text ?? null,
    metadata: message.metadata,
    created_at: iso(message.createdAt),
    ...(status ? { status } : {}),
  }
}

export function presentAccepted(message: Message) {
  return {
    status: 'accepted' as const,
    message_id: message.id,
    conversation_id: message.conversationId,
    seq: message.seq,
    created_at: iso(message.createdAt),
  }
}

export function presentReceipt(receipt: Receipt) {
  return {
    member: receipt.memberId,
    status: receipt.status,
    delivered_at: iso(receipt.deliveredAt),
    read_at: iso(receipt.readAt),
    // Only FAILED receipts (external recipients) carry one: other receipts keep their shape.
    ...(receipt.reason !== undefined ? { reason: receipt.reason } : {}),
  }
}

/** Opaque cursors: base64url JSON, so clients treat them as tokens and we may change them. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}
