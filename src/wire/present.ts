/**
 * @module Domain → wire shapes. Every public shape is built here and typed by its schema, so the
 * compiler refuses a presenter that strays from what the API documents.
 */
import type { Conversation as ConversationModel, DeliveryStatus, Member as MemberModel, Message as MessageModel, Receipt as ReceiptModel, User as UserModel } from '../core/model.js'
import type { Conversation, Member, Message, MessageAccepted, Receipt, User } from './resources.js'

export function iso(ms: number): string
export function iso(ms: number | null): string | null
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

export function presentUser(user: UserModel): User {
  return {
    user_id: user.id,
    username: user.username,
    display_name: user.displayName,
    email: user.email,
    created_at: iso(user.createdAt),
  }
}

export function presentMember(member: MemberModel): Member {
  return {
    member_id: member.id,
    kind: member.kind,
    role: member.role,
    joined_at: iso(member.joinedAt),
    delivered_up_to_seq: member.deliveredUpToSeq,
    read_up_to_seq: member.readUpToSeq,
  }
}

export function presentConversation(conversation: ConversationModel, members?: readonly MemberModel[]): Conversation {
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

export function presentMessage(message: Omit<MessageModel, 'bodyHash'>, status?: DeliveryStatus): Message {
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

export function presentAccepted(message: MessageModel): MessageAccepted {
  return {
    status: 'accepted',
    message_id: message.id,
    conversation_id: message.conversationId,
    seq: message.seq,
    created_at: iso(message.createdAt),
  }
}

export function presentReceipt(receipt: ReceiptModel): Receipt {
  return {
    member_id: receipt.memberId,
    status: receipt.status,
    delivered_at: iso(receipt.deliveredAt),
    read_at: iso(receipt.readAt),
    // Only FAILED receipts (external recipients) carry one: other receipts keep their shape.
    ...(receipt.reason !== undefined ? { reason: receipt.reason } : {}),
  }
}
