/**
 * @module One live connection of one user. It never loses or repeats a message: live events that
 * arrive while it replays from the store (or waits for a slow socket) queue up in order, and every
 * message is checked against the conversation's position before it is sent — at or below it is a
 * duplicate and dropped, beyond the next seq is a gap filled from the store first.
 */
import { errorCodes, errors, isAppError } from '../errors.js'
import type { Store } from '../../ports/store.js'
import { closeCodes, type ClientCommand, type CloseCode, type StreamFrame, type StreamSink } from './frames.js'
import type { LiveEvent, MessageCreated, PresenceEvent } from './live-event.js'
import { replay, syncFromStore, type SyncSession } from './sync.js'

export interface StreamLimits {
  /** Bytes a connection may hold unsent before the session stops writing and queues instead. */
  readonly bufferBytes: number
  /** Events a session may queue; one more closes it with the resume code. */
  readonly bufferEvents: number
  /** Most messages replayed per conversation; a longer backlog gets a reset instead. */
  readonly replayLimit: number
  readonly replayPageSize: number
  /** A user's typing in a conversation is passed on at most once per this interval. */
  readonly typingIntervalMs: number
  readonly heartbeatMs: number
}

export interface SessionDeps {
  readonly store: Store
  readonly now: () => number
  readonly limits: StreamLimits
  readonly publishTyping: (conversationId: string, userId: string) => Promise<void>
  /** The presence of the user's contacts, sent once the replay is done. */
  readonly presenceSnapshot: (userId: string) => Promise<readonly PresenceEvent[]>
  readonly onClose: (session: StreamSession) => void
  /** A failure on our side, for the operators' log; the client only learns a code. */
  readonly reportError: (error: unknown, userId: string) => void
}

export interface SessionOptions {
  readonly userId: string
  /** Epoch seconds; the session closes with 4001 then. */
  readonly tokenExpiresAt: number
  /** Where the client is, per conversation; others start at the member's delivered watermark. */
  readonly positions: ReadonlyMap<string, number>
  readonly sink: StreamSink
}

type Task = { readonly kind: 'live'; readonly event: LiveEvent } | { readonly kind: 'sync' }

/** What a command answers: a frame, or nothing (a command without an id that went well). */
export type Reply = StreamFrame | undefined

/** A reply that follows once the command's work is done: a send's, after its commit. */
export interface LaterReply {
  readonly later: Promise<Reply>
}

export type Answer = Reply | LaterReply

const isLater = (answer: Answer): answer is LaterReply => answer !== undefined && 'later' in answer

/**
 * Most replies one connection may be waiting for at once (pipelined sends not yet committed);
 * past it the next command waits for room, so a client cannot pile up work without bound.
 */
const MAX_LATER_REPLIES = 1_000

const ignore = () => undefined

export class StreamSession implements SyncSession {
  readonly userId: string
  /** Per conversation the user is in: the seq of the last message sent on this connection. */
  readonly positions = new Map<string, number>()
  /** Conversations this stream has told the client about; an SSE cursor names only these. */
  readonly touched = new Set<string>()
  private readonly queue: Task[] = []
  private pumping = false
  private closed = false
  private readonly lastTyping = new Map<string, number>()
  /** Client commands, started one after the other (see submit). */
  private commands: Promise<void> = Promise.resolve()
  /** Their replies, sent in the order of the commands. */
  private replies: Promise<void> = Promise.resolve()
  /** Later replies not yet settled. */
  private readonly awaited = new Set<Promise<void>>()
  private readonly expiry: NodeJS.Timeout

  constructor(
    private readonly deps: SessionDeps,
    private readonly options: SessionOptions,
  ) {
    this.userId = options.userId
    const ms = Math.max(0, options.tokenExpiresAt * 1000 - deps.now())
    this.expiry = setTimeout(() => this.close(closeCodes.unauthorized, 'token expired'), Math.min(ms, 2 ** 31 - 1))
    this.expiry.unref()
    this.send({
      kind: 'welcome',
      userId: this.userId,
      tokenExpiresAt: options.tokenExpiresAt,
      heartbeatMs: deps.limits.heartbeatMs,
    })
    this.schedule({ kind: 'sync' })
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** A live event for this user, from the hub. Sent at once when nothing is pending. */
  deliver(event: LiveEvent): void {
    if (this.closed) return
    if (!this.pumping && this.queue.length === 0 && !this.congested() && this.deliverAtOnce(event)) return
    this.schedule({ kind: 'live', event })
  }

  /**
   * Runs client work in the order it arrived, each piece once the one before has given its answer.
   * An answer may be a later reply (a send's, after its commit): the next command starts without
   * waiting for it, so pipelined sends reach the store in the order sent and are written together.
   * Replies keep the order of the commands all the same, even when one has to wait for the store.
   */
  submit(work: () => Promise<Answer> | Answer): void {
    const answer = this.commands.then(async () => {
      while (this.awaited.size >= MAX_LATER_REPLIES) await Promise.race(this.awaited)
      const given = await work()
      if (isLater(given)) {
        const settled = given.later.then(ignore, ignore)
        this.awaited.add(settled)
        void settled.then(() => this.awaited.delete(settled))
      }
      return given
    })
    this.commands = answer.then(ignore, ignore)
    const reply = answer.then((given) => (isLater(given) ? given.later : given))
    this.replies = this.replies
      .then(() => reply)
      .then((frame) => {
        if (frame) this.send(frame)
      })
      .catch((error: unknown) => this.deps.reportError(error, this.userId))
  }

  async handle(command: ClientCommand): Promise<Reply> {
    if (this.closed) return undefined
    const id = command.id
    try {
      switch (command.type) {
        case 'ping':
          return { kind: 'pong', id }
        case 'ack':
        case 'read':
          await this.requireMember(command.conversationId)
          await this.deps.store.advanceWatermark({
            conversationId: command.conversationId,
            memberId: this.userId,
            status: command.type === 'ack' ? 'DELIVERED' : 'READ',
            upToSeq: command.upToSeq,
            at: this.deps.now(),
          })
          break
        case 'typing':
          await this.requireMember(command.conversationId)
          if (this.typingAllowed(command.conversationId)) {
            await this.deps.publishTyping(command.conversationId, this.userId)
          }
          break
      }
      return id === undefined ? undefined : { kind: 'ok', id }
    } catch (error) {
      return this.errorFrame(id, error)
    }
  }

  /** What to tell the client about one of its commands that failed; the connection stays open. */
  errorFrame(id: string | undefined, error: unknown): StreamFrame {
    if (isAppError(error)) {
      return { kind: 'error', id, code: error.code, status: error.status, detail: error.message, field: error.field }
    }
    this.deps.reportError(error, this.userId)
    const { status } = errorCodes.internal
    return { kind: 'error', id, code: 'internal', status, detail: 'The command failed on our side', field: undefined }
  }

  close(code: CloseCode, reason: string): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.expiry)
    this.queue.length = 0
    this.options.sink.close(code, reason)
    this.deps.onClose(this)
  }

  /** The transport saw the connection end. */
  ended(): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.expiry)
    this.queue.length = 0
    this.deps.onClose(this)
  }

  // --- used by sync.ts (SyncSession) ------------------------------------------------------------

  send(frame: StreamFrame): void {
    if (!this.closed) this.options.sink.send(frame)
  }

  /** Sends a message that is next in its conversation and moves the position. */
  sendMessage(event: MessageCreated): void {
    this.positions.set(event.conversationId, event.seq)
    this.touched.add(event.conversationId)
    this.send({ kind: 'event', event })
  }

  /** Waits while the socket holds more than the limit, so a replay never outruns the client. */
  async backpressure(): Promise<void> {
    while (!this.closed && this.congested()) await this.options.sink.drained()
  }

  get requestedPositions(): ReadonlyMap<string, number> {
    return this.options.positions
  }

  get sessionDeps(): SessionDeps {
    return this.deps
  }

  // --- internals --------------------------------------------------------------------------------

  private congested(): boolean {
    return this.options.sink.bufferedBytes() > this.deps.limits.bufferBytes
  }

  private schedule(task: Task): void {
    this.queue.push(task)
    if (this.queue.length > this.deps.limits.bufferEvents) {
      this.close(closeCodes.resume, 'buffer overflow: reconnect and resume from your positions')
      return
    }
    if (!this.pumping) void this.pump()
  }

  /** Works through queued tasks one at a time, so order is kept across awaits. */
  private async pump(): Promise<void> {
    this.pumping = true
    try {
      while (!this.closed) {
        await this.backpressure()
        const task = this.queue.shift()
        if (!task) break
        if (task.kind === 'sync') await syncFromStore(this)
        else await this.deliverInOrder(task.event)
      }
    } catch (error) {
      if (this.closed) return
      this.deps.reportError(error, this.userId)
      this.close(closeCodes.internal, 'the stream failed on our side: reconnect and resume')
    } finally {
      this.pumping = false
    }
  }

  /** Handles what needs no store read; false when the event must wait for the pump. */
  private deliverAtOnce(event: LiveEvent): boolean {
    if (event.type !== 'message.created') {
      this.track(event)
      this.send({ kind: 'event', event })
      return true
    }
    const position = this.positions.get(event.conversationId)
    if (position === undefined || event.seq > position + 1) return false
    if (event.seq === position + 1) this.sendMessage(event)
    return true
  }

  private async deliverInOrder(event: LiveEvent): Promise<void> {
    if (event.type !== 'message.created') {
      this.track(event)
      return this.send({ kind: 'event', event })
    }
    let position = this.positions.get(event.conversationId)
    if (position === undefined) {
      // A conversation joined since this stream started whose join we have not seen yet.
      const membership = await this.deps.store.getMember(event.conversationId, this.userId)
      if (!membership || membership.joinedAfterSeq >= event.seq) return
      position = membership.joinedAfterSeq
      this.positions.set(event.conversationId, position)
    }
    if (event.seq <= position) return
    // A gap: what the fan-out has not brought (yet) is in the store.
    if (event.seq > position + 1) await replay(this, event.conversationId, event.seq - 1)
    if (event.seq === (this.positions.get(event.conversationId) ?? 0) + 1) this.sendMessage(event)
  }

  /** Keeps the set of conversations current as the user joins and leaves them. */
  private track(event: LiveEvent): void {
    switch (event.type) {
      case 'conversation.created':
        if (!this.positions.has(event.conversationId)) this.positions.set(event.conversationId, 0)
        break
      case 'member.joined': {
        const me = event.members.find((m) => m.id === this.userId)
        if (me && !this.positions.has(event.conversationId)) this.positions.set(event.conversationId, me.joinedAfterSeq)
        break
      }
      case 'member.left':
        if (event.memberId === this.userId) {
          this.positions.delete(event.conversationId)
          this.touched.delete(event.conversationId)
        }
        break
      default:
        break
    }
  }

  /**
   * Known conversations answer at once; others (a command sent before the replay reached them, or
   * one joined a moment ago) are checked in the store rather than refused.
   */
  private async requireMember(conversationId: string): Promise<void> {
    if (this.positions.has(conversationId)) return
    if (!(await this.deps.store.getMember(conversationId, this.userId))) throw errors.conversationNotFound(conversationId)
  }

  private typingAllowed(conversationId: string): boolean {
    const now = this.deps.now()
    const last = this.lastTyping.get(conversationId) ?? 0
    if (now - last < this.deps.limits.typingIntervalMs) return false
    this.lastTyping.set(conversationId, now)
    return true
  }
}
