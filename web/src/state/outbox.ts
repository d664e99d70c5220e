/**
 * @module Sends that the server has not confirmed yet. Each has its `message_id` from the moment it
 * is typed, is kept in localStorage (a reload or a crash loses nothing typed), and is sent over the
 * stream; after a disconnect every unconfirmed one is sent again, in order, with the same id — the
 * platform answers `duplicate` for one it already stored, so a retry never doubles a message.
 */
import type { Payload, StreamFrame } from '../api/types.js'
import { addMessage } from './frames.js'
import type { ChatState, PendingSend } from './model.js'
import { newId } from './uuid.js'

interface Host {
  readonly state: ChatState
  readonly isLive: boolean
  send(command: Readonly<Record<string, unknown>>): boolean
  changed(): void
}

export class Outbox {
  private key = ''

  constructor(private readonly host: Host) {}

  load(userId: string): PendingSend[] {
    this.key = `chat4all.outbox.${userId}`
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) ?? '[]') as PendingSend[]
      return saved.map((p) => ({ ...p, state: p.state === 'failed' ? 'failed' : 'queued' }))
    } catch {
      return []
    }
  }

  add(conversationId: string, payload: Payload): void {
    const pending: PendingSend = {
      message_id: newId(),
      conversation_id: conversationId,
      payload,
      created_at: new Date().toISOString(),
      state: 'queued',
    }
    this.host.state.pending = [...this.host.state.pending, pending]
    this.save()
    if (this.host.isLive) this.transmit(pending)
    this.host.changed()
  }

  /** The stream is live (again): every unconfirmed send goes, oldest first. */
  flush(): void {
    for (const pending of this.host.state.pending) if (pending.state !== 'failed') this.transmit(pending)
  }

  /** The stream dropped: what was in flight is sent again on the next connection. */
  disconnected(): void {
    for (const pending of this.host.state.pending) if (pending.state === 'sending') pending.state = 'queued'
  }

  retry(messageId: string): void {
    const pending = this.host.state.pending.find((p) => p.message_id === messageId)
    if (!pending) return
    pending.state = 'queued'
    delete pending.error
    if (this.host.isLive) this.transmit(pending)
    this.host.changed()
  }

  discard(messageId: string): void {
    this.host.state.pending = this.host.state.pending.filter((p) => p.message_id !== messageId)
    this.save()
    this.host.changed()
  }

  answered(frame: Extract<StreamFrame, { type: 'ok' | 'error' }>): void {
    const pending = this.host.state.pending.find((p) => p.message_id === frame.id)
    if (!pending) return
    if (frame.type === 'ok' && frame.seq !== undefined && frame.created_at !== undefined) {
      const conversation = this.host.state.conversations.get(pending.conversation_id)
      const me = this.host.state.me
      // The confirmed message takes its place by seq at once; the stream's copy of it is the same entry.
      if (conversation && me) {
        addMessage(this.host.state, conversation, {
          message_id: pending.message_id,
          conversation_id: pending.conversation_id,
          seq: frame.seq,
          sender_id: me.user_id,
          payload: pending.payload,
          content: pending.payload.text ?? null,
          metadata: { sender_name: me.username },
          created_at: frame.created_at,
        })
      }
      this.host.state.pending = this.host.state.pending.filter((p) => p !== pending)
    } else if (frame.type === 'error') {
      // A server failure is retried with the same id; a refused message (4xx) waits for the user.
      pending.state = frame.status >= 500 ? 'queued' : 'failed'
      if (frame.status < 500) pending.error = frame.detail
    }
    this.save()
  }

  private transmit(pending: PendingSend): void {
    const me = this.host.state.me
    const sent = this.host.send({
      type: 'send',
      id: pending.message_id,
      message_id: pending.message_id,
      conversation_id: pending.conversation_id,
      payload: pending.payload,
      // The name this sender goes by, so the other members can show it (see names.ts).
      metadata: { sender_name: me?.username },
    })
    if (sent) pending.state = 'sending'
  }

  private save(): void {
    if (this.key) localStorage.setItem(this.key, JSON.stringify(this.host.state.pending))
  }
}
