/** @module How each stream frame changes what the page knows (docs/stream.md "Frames"). */
import type { Member, Message, StreamFrame } from '../api/types.js'
import { learnName } from './names.js'
import { newConversationState, type ChatState, type ConversationState, type MemberState } from './model.js'

export interface FrameEffects {
  /** A frame of a conversation the page has not heard of: fetch it, then apply the frame. */
  unknownConversation(id: string, frame: StreamFrame): void
  /** A message of someone else arrived: acknowledge (or mark read if it is on screen). */
  received(conversationId: string, seq: number): void
  /** A conversation's local copy cannot be trusted any more (stream.reset): refetch it. */
  reload(conversationId: string): void
}

export function setMembers(conversation: ConversationState, members: readonly Member[]): void {
  const map = conversation.members ?? new Map<string, MemberState>()
  for (const m of members) {
    const old = map.get(m.member_id)
    map.set(m.member_id, {
      kind: m.kind,
      role: m.role,
      delivered: Math.max(old?.delivered ?? 0, m.delivered_up_to_seq ?? 0),
      read: Math.max(old?.read ?? 0, m.read_up_to_seq ?? 0),
    })
  }
  conversation.members = map
}

/** Adds a message (from history, the stream or a send's answer): by seq, so never twice. */
export function addMessage(state: ChatState, conversation: ConversationState, message: Message): boolean {
  if (conversation.messages.has(message.seq)) return false
  conversation.messages.set(message.seq, message)
  learnName(message.sender_id, message.metadata?.['sender_name'])
  state.pending = state.pending.filter((p) => p.message_id !== message.message_id)
  if (!conversation.lastMessage || message.seq > conversation.lastMessage.seq) {
    conversation.lastMessage = message
    if (message.created_at > conversation.lastActivity) conversation.lastActivity = message.created_at
  }
  return true
}

export function applyFrame(state: ChatState, positions: Map<string, number>, frame: StreamFrame, fx: FrameEffects): void {
  const me = state.me?.user_id
  const conv = (id: string): ConversationState | undefined => {
    const found = state.conversations.get(id)
    if (!found) fx.unknownConversation(id, frame)
    return found
  }
  switch (frame.type) {
    case 'message.created': {
      const m = frame.message
      positions.set(m.conversation_id, Math.max(positions.get(m.conversation_id) ?? 0, m.seq))
      const c = conv(m.conversation_id)
      if (!c) return
      const added = addMessage(state, c, m)
      c.typing.delete(m.sender_id)
      if (m.sender_id === me) {
        const mine = c.members?.get(m.sender_id)
        if (mine) mine.read = Math.max(mine.read, m.seq)
      } else if (added) {
        if (state.openId !== m.conversation_id || document.hidden) c.unread++
        fx.received(m.conversation_id, m.seq)
      }
      return
    }
    case 'message.status': {
      const c = conv(frame.conversation_id)
      if (!c) return
      if (frame.message_id) {
        const marks = c.marks.get(frame.message_id) ?? new Map<string, string>()
        marks.set(frame.member_id, frame.status)
        c.marks.set(frame.message_id, marks)
      }
      const member = c.members?.get(frame.member_id)
      if (member && !frame.message_id) {
        if (frame.status === 'READ') member.read = Math.max(member.read, frame.up_to_seq)
        if (frame.status === 'READ' || frame.status === 'DELIVERED') member.delivered = Math.max(member.delivered, frame.up_to_seq)
      }
      if (frame.member_id === me && frame.status === 'READ' && c.lastMessage && frame.up_to_seq >= c.lastMessage.seq) c.unread = 0
      return
    }
    case 'receipts.snapshot': {
      const c = conv(frame.conversation_id)
      if (!c?.members) return
      for (const m of frame.members) {
        const member = c.members.get(m.member_id)
        if (!member) continue
        member.delivered = Math.max(member.delivered, m.delivered_up_to_seq)
        member.read = Math.max(member.read, m.read_up_to_seq)
      }
      return
    }
    case 'conversation.created': {
      if (state.conversations.has(frame.conversation.conversation_id)) return
      const c = newConversationState(frame.conversation)
      setMembers(c, frame.members)
      c.historyLoaded = true // a new conversation has no history yet
      state.conversations.set(frame.conversation.conversation_id, c)
      return
    }
    case 'member.joined': {
      const c = conv(frame.conversation_id)
      if (c) setMembers(c, frame.members)
      return
    }
    case 'member.left': {
      if (frame.member_id === me) {
        state.conversations.delete(frame.conversation_id)
        positions.delete(frame.conversation_id)
        if (state.openId === frame.conversation_id) state.openId = null
        return
      }
      state.conversations.get(frame.conversation_id)?.members?.delete(frame.member_id)
      return
    }
    case 'typing': {
      if (frame.user_id === me) return
      state.conversations.get(frame.conversation_id)?.typing.set(frame.user_id, Date.parse(frame.expires_at))
      return
    }
    case 'presence':
      state.presence.set(frame.user_id, { status: frame.status, lastSeenAt: frame.last_seen_at })
      return
    case 'stream.reset': {
      const { conversation_id: id, seq } = frame.position
      positions.set(id, seq)
      if (frame.reason === 'not_a_member') {
        state.conversations.delete(id)
        positions.delete(id)
      } else fx.reload(id)
      return
    }
    default:
      return
  }
}
