/**
 * @module The page's controller: loads what the user has, keeps it live through the stream, and
 * sends. Components read `chat.state` and re-render on `subscribe`.
 */
import { createEndpoints, type Endpoints } from '../api/endpoints.js'
import { createHttp } from '../api/http.js'
import type { Session } from '../api/session.js'
import { StreamConnection, type StreamState } from '../api/stream.js'
import type { Conversation, Member, Payload, StreamFrame } from '../api/types.js'
import { applyFrame, addMessage, setMembers } from './frames.js'
import { newConversationState, type ChatState, type ConversationState } from './model.js'
import { learnName } from './names.js'
import { addMember, createConversation, removeMember } from './membership.js'
import { Outbox } from './outbox.js'

export class Chat {
  readonly api: Endpoints
  readonly state: ChatState = {
    me: null,
    conversations: new Map(),
    stream: 'connecting',
    presence: new Map(),
    pending: [],
    uploads: [],
    openId: null,
    error: null,
  }
  /** conversation id → seq of the last message the stream gave: what a reconnect resumes from. */
  readonly positions = new Map<string, number>()
  private readonly listeners = new Set<() => void>()
  private stream: StreamConnection | null = null
  private readonly outbox: Outbox
  private readonly toAck = new Map<string, number>()
  /** conversation id → seq acknowledged on a live connection: what a reconnect must still ack. */
  private readonly acked = new Map<string, number>()
  private ackTimer: ReturnType<typeof setTimeout> | undefined
  /** Frames of conversations being fetched, applied once they are known. */
  private readonly waiting = new Map<string, StreamFrame[]>()
  private renderQueued = false

  private readonly typingTimer: ReturnType<typeof setInterval>
  private readonly onVisible = () => this.markOpenRead()

  constructor(readonly session: Session) {
    this.api = createEndpoints(createHttp(session))
    this.outbox = new Outbox(this)
    this.typingTimer = setInterval(() => this.expireTyping(), 1000)
    document.addEventListener('visibilitychange', this.onVisible)
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Re-renders once per task, however many frames changed the state. */
  changed(): void {
    if (this.renderQueued) return
    this.renderQueued = true
    queueMicrotask(() => {
      this.renderQueued = false
      for (const listener of this.listeners) listener()
    })
  }

  async start(): Promise<void> {
    const me = await this.api.me()
    this.state.me = me
    learnName(me.user_id, me.username)
    this.state.pending = this.outbox.load(me.user_id)
    await this.loadConversations()
    void this.fillMembers()
    this.stream = new StreamConnection(this.session, {
      positions: () => this.positions,
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => this.onStreamState(state),
    })
    this.changed()
  }

  stop(): void {
    this.stream?.stop()
    this.stream = null
    clearInterval(this.typingTimer)
    clearTimeout(this.ackTimer)
    document.removeEventListener('visibilitychange', this.onVisible)
  }

  send(command: Readonly<Record<string, unknown>>): boolean {
    return this.stream?.send(command) ?? false
  }

  get isLive(): boolean {
    return this.state.stream === 'live'
  }

  private async loadConversations(): Promise<void> {
    let cursor: string | undefined
    for (let page = 0; page < 10; page++) {
      const { conversations, pagination } = await this.api.conversations(cursor)
      for (const c of conversations) this.upsertSummary(c)
      if (!pagination.has_more || !pagination.next_cursor) break
      cursor = pagination.next_cursor
    }
  }

  /** The list has no members; a private conversation's name is its other member: fetch them, four at a time. */
  private async fillMembers(): Promise<void> {
    const missing = [...this.state.conversations.values()].filter((c) => !c.members)
    const worker = async () => {
      for (let c = missing.shift(); c; c = missing.shift()) {
        const id = c.summary.conversation_id
        await this.api.conversation(id).then((detail) => setMembers(c, detail.members), () => undefined)
        this.changed()
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()])
  }

  /** Adds or updates a conversation from the API's shape (the list, a detail, a create). */
  upsertSummary(summary: Conversation, members?: readonly Member[]): ConversationState {
    let c = this.state.conversations.get(summary.conversation_id)
    if (!c) {
      c = newConversationState(summary)
      this.state.conversations.set(summary.conversation_id, c)
    } else c.summary = { ...c.summary, ...summary }
    if (members) setMembers(c, members)
    if (summary.last_message) addMessage(this.state, c, summary.last_message)
    return c
  }

  /** Conversations by latest activity first. */
  sortedConversations(): ConversationState[] {
    return [...this.state.conversations.values()].sort((a, b) => b.lastActivity.localeCompare(a.lastActivity))
  }

  async open(id: string | null): Promise<void> {
    this.state.openId = id
    this.changed()
    if (!id) return
    const c = this.state.conversations.get(id) ?? (await this.fetchConversation(id))
    if (!c) return
    if (!c.members) setMembers(c, (await this.api.conversation(id)).members)
    if (!c.historyLoaded) await this.loadOlder(id)
    this.markOpenRead()
    this.changed()
  }

  /** The page of history before the oldest message held (the newest page the first time). */
  async loadOlder(id: string): Promise<void> {
    const c = this.state.conversations.get(id)
    if (!c) return
    const oldest = c.historyLoaded ? Math.min(...c.messages.keys()) : undefined
    const { messages, pagination } = await this.api.history(id, Number.isFinite(oldest) ? oldest : undefined)
    for (const m of messages) addMessage(this.state, c, m)
    c.historyLoaded = true
    c.hasOlder = pagination.has_more
    this.changed()
  }

  /** Fetches a conversation the page did not know, then applies the frames that arrived meanwhile. */
  async fetchConversation(id: string, frame?: StreamFrame): Promise<ConversationState | undefined> {
    const queued = this.waiting.get(id)
    if (queued) {
      if (frame) queued.push(frame)
      return undefined
    }
    this.waiting.set(id, frame ? [frame] : [])
    try {
      const detail = await this.api.conversation(id)
      return this.upsertSummary(detail, detail.members)
    } catch {
      return undefined // not ours (any more): its frames are dropped with it
    } finally {
      const frames = this.waiting.get(id) ?? []
      this.waiting.delete(id)
      if (this.state.conversations.has(id)) for (const f of frames) this.onFrame(f)
      this.changed()
    }
  }

  createConversation(type: 'private' | 'group', members: string[], title?: string): Promise<{ id: string; refused: string[] }> {
    return createConversation(this, type, members, title)
  }

  addMember(id: string, member: string): Promise<void> {
    return addMember(this, id, member)
  }

  removeMember(id: string, member: string): Promise<void> {
    return removeMember(this, id, member)
  }

  sendMessage(conversationId: string, payload: Payload): void {
    this.outbox.add(conversationId, payload)
  }

  retrySend(messageId: string): void {
    this.outbox.retry(messageId)
  }

  discardSend(messageId: string): void {
    this.outbox.discard(messageId)
  }

  typing(conversationId: string): void {
    this.send({ type: 'typing', conversation_id: conversationId })
  }

  /** Marks what is on screen read, when the page is visible. */
  markOpenRead(): void {
    const id = this.state.openId
    const c = id ? this.state.conversations.get(id) : undefined
    const me = this.state.me?.user_id
    if (!id || !c || !me || document.hidden || !c.lastMessage) return
    const seq = c.lastMessage.seq
    const mine = c.members?.get(me)
    if (mine && mine.read >= seq && c.unread === 0) return
    c.unread = 0
    if (mine) mine.read = Math.max(mine.read, seq)
    if (!this.send({ type: 'read', conversation_id: id, up_to_seq: seq })) void this.api.markRead(id, seq).catch(() => undefined)
    this.changed()
  }

  private onFrame(frame: StreamFrame): void {
    if (frame.type === 'ok' || frame.type === 'error') this.outbox.answered(frame)
    else
      applyFrame(this.state, this.positions, frame, {
        unknownConversation: (id, f) => void this.fetchConversation(id, f),
        received: (id, seq) => this.received(id, seq),
        reload: (id) => void this.reload(id),
      })
    this.changed()
  }

  private onStreamState(stream: StreamState): void {
    this.state.stream = stream
    if (stream === 'live') {
      this.outbox.flush()
      // Acks lost with the last connection: what was received but never acknowledged.
      for (const [id, seq] of this.positions) if ((this.acked.get(id) ?? 0) < seq && this.receivedFromOthers(id)) this.toAck.set(id, seq)
      this.flushAcks()
      this.markOpenRead()
    } else this.outbox.disconnected()
    this.changed()
  }

  /** Acknowledges received messages in one command per conversation, or marks them read when on screen. */
  private received(id: string, seq: number): void {
    this.toAck.set(id, Math.max(this.toAck.get(id) ?? 0, seq))
    clearTimeout(this.ackTimer)
    this.ackTimer = setTimeout(() => this.flushAcks(), 150)
  }

  private flushAcks(): void {
    for (const [conversationId, upTo] of this.toAck) {
      if (conversationId === this.state.openId && !document.hidden) this.markOpenRead()
      else if (this.send({ type: 'ack', conversation_id: conversationId, up_to_seq: upTo })) this.acked.set(conversationId, upTo)
      else continue // not live: kept for the next connection
      this.toAck.delete(conversationId)
    }
  }

  /** Whether the conversation holds a message of someone else (own messages need no ack). */
  private receivedFromOthers(id: string): boolean {
    const me = this.state.me?.user_id
    const c = this.state.conversations.get(id)
    return c !== undefined && [...c.messages.values()].some((m) => m.sender_id !== me)
  }

  private async reload(id: string): Promise<void> {
    const c = this.state.conversations.get(id)
    if (!c) return
    c.messages.clear()
    c.historyLoaded = false
    if (this.state.openId === id) await this.loadOlder(id)
  }

  private expireTyping(): void {
    const now = Date.now()
    let changed = false
    for (const c of this.state.conversations.values()) {
      for (const [user, until] of c.typing) {
        if (until <= now) {
          c.typing.delete(user)
          changed = true
        }
      }
    }
    if (changed) this.changed()
  }
}
