/** @module What the page knows: conversations with their members and messages, pending sends, uploads. */
import type { UploadHandle } from '../api/uploads.js'
import type { Conversation, Me, MemberKind, Message, Payload } from '../api/types.js'
import type { StreamState } from '../api/stream.js'

export interface MemberState {
  readonly kind: MemberKind
  role: string
  delivered: number
  read: number
}

export interface ConversationState {
  summary: Conversation
  /** Null until the conversation's detail was fetched. */
  members: Map<string, MemberState> | null
  /** By seq: a message arriving twice (replay, history, live) is one entry. */
  readonly messages: Map<number, Message>
  historyLoaded: boolean
  hasOlder: boolean
  unread: number
  lastMessage: Message | null
  lastActivity: string
  /** user id → when their typing indicator ends (ms). */
  readonly typing: Map<string, number>
  /** One message marked on its own (message id → member → status): beyond the watermarks. */
  readonly marks: Map<string, Map<string, string>>
}

export interface PendingSend {
  readonly message_id: string
  readonly conversation_id: string
  readonly payload: Payload
  readonly created_at: string
  state: 'queued' | 'sending' | 'failed'
  error?: string
}

export interface UploadState {
  readonly key: string
  readonly conversation_id: string
  readonly name: string
  readonly size: number
  sent: number
  state: 'uploading' | 'paused' | 'failed' | 'sending'
  error?: string
  handle: UploadHandle | null
}

export interface Presence {
  readonly status: 'online' | 'offline'
  readonly lastSeenAt: string | null
}

export interface ChatState {
  me: Me | null
  readonly conversations: Map<string, ConversationState>
  stream: StreamState
  readonly presence: Map<string, Presence>
  pending: PendingSend[]
  uploads: UploadState[]
  openId: string | null
  error: string | null
}

export function newConversationState(summary: Conversation): ConversationState {
  return {
    summary,
    members: null,
    messages: new Map(),
    historyLoaded: false,
    hasOlder: false,
    unread: summary.unread_count ?? 0,
    lastMessage: summary.last_message ?? null,
    lastActivity: summary.last_activity_at ?? summary.created_at,
    typing: new Map(),
    marks: new Map(),
  }
}

export type Tick = 'pending' | 'sent' | 'delivered' | 'read' | 'failed'

const rank: Readonly<Record<string, number>> = { FAILED: -1, SENT: 0, DELIVERED: 1, READ: 2 }

/** One member's status of message `seq`: the watermarks, or a mark of that message alone. */
export function memberStatus(conversation: ConversationState, member: string, message: Message): string {
  const state = conversation.members?.get(member)
  const byWatermark = state && state.read >= message.seq ? 'READ' : state && state.delivered >= message.seq ? 'DELIVERED' : 'SENT'
  const mark = conversation.marks.get(message.message_id)?.get(member)
  return mark !== undefined && (rank[mark] ?? 0) > (rank[byWatermark] ?? 0) ? mark : mark === 'FAILED' ? mark : byWatermark
}

/** The tick of one of my messages: the least advanced of the other members. */
export function tickOf(conversation: ConversationState, me: string, message: Message): Tick {
  const others = [...(conversation.members?.keys() ?? [])].filter((member) => member !== me)
  if (others.length === 0) return 'sent'
  const statuses = others.map((member) => memberStatus(conversation, member, message))
  if (statuses.includes('FAILED')) return 'failed'
  if (statuses.every((s) => s === 'READ')) return 'read'
  if (statuses.every((s) => s === 'READ' || s === 'DELIVERED')) return 'delivered'
  return 'sent'
}
