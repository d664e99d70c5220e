/**
 * @module Domain ↔ gRPC message shapes: timestamps, google.protobuf.Struct for JSON metadata, enum
 * names, and the presenters of users, conversations, messages, receipts and files. The field names
 * are the REST API's (snake_case), so the two transports say the same thing the same way.
 */
import { errors } from '../../core/errors.js'
import { checksumOf } from '../../core/files/access.js'
import type { Conversation, DeliveryStatus, FileRecord, Member, Message, MessagePayload, Receipt, User } from '../../core/model.js'
import type { ProtoMessage, ProtoStruct, ProtoValue, Timestamp } from './wire-types.js'

export function timestamp(ms: number | null | undefined): Timestamp | undefined {
  if (ms === null || ms === undefined) return undefined
  const seconds = Math.floor(ms / 1000)
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 }
}

/** Enum value name: `CONVERSATION_TYPE_` + `group` → `CONVERSATION_TYPE_GROUP`. */
export const enumName = (prefix: string, value: string): string => `${prefix}${value.toUpperCase()}`

/** The domain value of an enum name, or undefined for UNSPECIFIED / unset; a foreign name is a validation error. */
export function enumValue<T extends string>(prefix: string, name: string | undefined, allowed: readonly T[], field: string): T | undefined {
  if (name === undefined || name === `${prefix}UNSPECIFIED`) return undefined
  const value = name.startsWith(prefix) ? name.slice(prefix.length).toLowerCase() : ''
  const match = allowed.find((candidate) => candidate.toLowerCase() === value)
  if (match === undefined) throw errors.validation(field, `'${name}' is not one of ${allowed.map((a) => enumName(prefix, a)).join(', ')}`)
  return match
}

// --- google.protobuf.Struct ↔ JSON ---------------------------------------------------------------

function fromValue(value: ProtoValue): unknown {
  if (value.structValue !== undefined) return fromStruct(value.structValue)
  if (value.listValue !== undefined) return (value.listValue.values ?? []).map(fromValue)
  if (value.stringValue !== undefined) return value.stringValue
  if (value.numberValue !== undefined) return value.numberValue
  if (value.boolValue !== undefined) return value.boolValue
  return null
}

export function fromStruct(struct: ProtoStruct): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(struct.fields ?? {})) result[key] = fromValue(value)
  return result
}

function toValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' }
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'number') return { numberValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } }
  return { structValue: toStruct(value as Readonly<Record<string, unknown>>) }
}

export function toStruct(json: Readonly<Record<string, unknown>> | null | undefined): ProtoStruct | undefined {
  if (json === null || json === undefined) return undefined
  const fields: Record<string, ProtoValue> = {}
  for (const [key, value] of Object.entries(json)) if (value !== undefined) fields[key] = toValue(value)
  return { fields }
}

// --- presenters -----------------------------------------------------------------------------------

export function presentUser(user: User): ProtoMessage {
  return {
    user_id: user.id,
    username: user.username,
    display_name: user.displayName,
    ...(user.email === null ? {} : { email: user.email }),
    created_at: timestamp(user.createdAt),
  }
}

export function presentMember(member: Member): ProtoMessage {
  return {
    member: member.id,
    kind: enumName('MEMBER_KIND_', member.kind),
    role: enumName('MEMBER_ROLE_', member.role),
    joined_at: timestamp(member.joinedAt),
    delivered_up_to_seq: member.deliveredUpToSeq,
    read_up_to_seq: member.readUpToSeq,
  }
}

export function presentConversation(conversation: Conversation, members: readonly Member[] = []): ProtoMessage {
  return {
    conversation_id: conversation.id,
    type: enumName('CONVERSATION_TYPE_', conversation.type),
    ...(conversation.title === null ? {} : { title: conversation.title }),
    metadata: toStruct(conversation.metadata),
    created_by: conversation.createdBy,
    created_at: timestamp(conversation.createdAt),
    last_seq: conversation.lastSeq,
    last_activity_at: timestamp(conversation.lastActivityAt),
    members: members.map(presentMember),
  }
}

const deliveryStatus = (status: DeliveryStatus) => enumName('DELIVERY_STATUS_', status)

function presentPayload(payload: MessagePayload): ProtoMessage {
  if (payload.type === 'text') return { type: 'PAYLOAD_TYPE_TEXT', text: payload.text }
  return {
    type: 'PAYLOAD_TYPE_FILE',
    file_id: payload.file_id,
    ...(payload.text === undefined ? {} : { text: payload.text }),
    ...(payload.file ? { file: payload.file } : {}),
  }
}

export function presentMessage(message: Message, status?: DeliveryStatus): ProtoMessage {
  return {
    message_id: message.id,
    conversation_id: message.conversationId,
    seq: message.seq,
    sender_id: message.senderId,
    payload: presentPayload(message.payload),
    metadata: toStruct(message.metadata),
    created_at: timestamp(message.createdAt),
    ...(status ? { status: deliveryStatus(status) } : {}),
  }
}

export function presentReceipt(receipt: Receipt): ProtoMessage {
  return {
    member: receipt.memberId,
    status: deliveryStatus(receipt.status),
    delivered_at: timestamp(receipt.deliveredAt),
    read_at: timestamp(receipt.readAt),
    ...(receipt.reason === undefined ? {} : { reason: receipt.reason }),
  }
}

export function presentFile(record: FileRecord): ProtoMessage {
  const checksum = checksumOf(record)
  return {
    file_id: record.id,
    filename: record.filename,
    size_bytes: record.sizeBytes,
    mimetype: record.contentType,
    ...(checksum === null ? {} : { checksum }),
    state: enumName('FILE_STATE_', record.state),
    owner_id: record.ownerId,
    ...(record.conversationId === null ? {} : { conversation_id: record.conversationId }),
    created_at: timestamp(record.createdAt),
    uploaded_at: timestamp(record.completedAt),
    ...(record.upload
      ? { upload: { offset: record.upload.offset, chunk_size: record.upload.chunkSize, expires_at: timestamp(record.upload.expiresAt) } }
      : {}),
  }
}
