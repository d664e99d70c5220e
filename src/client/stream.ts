/**
 * @module The live stream (docs/stream.md) with automatic reconnect and resume. The stream keeps,
 * per conversation, the `seq` of the last message it passed on; it reconnects with those positions
 * so the server replays exactly what was missed, and drops anything at or below them, so a
 * listener sees every message once, in order, across any number of drops. A 4001 (token expired)
 * refreshes the token first; a 4008 (slow consumer) reconnects at once; other drops back off.
 */
import { EventEmitter } from 'node:events'
import WebSocket from 'ws'
import { Chat4AllError } from './errors.js'
import { withRetry } from './retry.js'
import type { TokenSession } from './session.js'
import type { Backoff } from '../core/retry.js'
import type { StreamCommand, StreamFrame } from './types.js'

export interface LiveStreamOptions {
  /** conversation_id → the seq of the last message the caller has; the server replays after it. */
  readonly positions?: Readonly<Record<string, number>>
  /** Acknowledge others' messages as they arrive (marks them DELIVERED), default true. */
  readonly ack?: boolean
  readonly backoff?: Backoff
}

/** What happens to the connection itself, beside the frames. */
export type ConnectionEvent =
  | { readonly state: 'open' }
  | { readonly state: 'closed'; readonly code: number; readonly reason: string; readonly retryInMs: number }

/** Closes that retrying cannot fix: a malformed request, a frame too large. */
const FATAL_CLOSES = new Set([4000, 1009])

class Dropped extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly wasReady: boolean,
  ) {
    super(`stream closed with ${code} ${reason}`)
  }
}

export declare interface LiveStream {
  on(event: 'frame', listener: (frame: StreamFrame) => void): this
  on(event: 'connection', listener: (event: ConnectionEvent) => void): this
  on(event: 'error', listener: (error: Chat4AllError) => void): this
}

export class LiveStream extends EventEmitter {
  private readonly known = new Map<string, number>()
  private socket: WebSocket | undefined
  private closed = false
  private userId: string | undefined
  private readonly stopped: AbortController = new AbortController()
  private readyOnce: Promise<void>
  private markReady: () => void = () => undefined

  constructor(
    private readonly baseUrl: string,
    private readonly session: TokenSession,
    private readonly options: LiveStreamOptions = {},
  ) {
    super()
    for (const [id, seq] of Object.entries(options.positions ?? {})) this.known.set(id, seq)
    this.readyOnce = new Promise((resolve) => (this.markReady = resolve))
    void this.run()
  }

  /** Resolves once the first connection has replayed what was missed and gone live. */
  ready(): Promise<void> {
    return this.readyOnce
  }

  /** conversation_id → last seq passed on: what a later stream resumes from. */
  positions(): Record<string, number> {
    return Object.fromEntries(this.known)
  }

  /** Sends a command when connected; answers false when the stream is between connections. */
  command(command: StreamCommand): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false
    this.socket.send(JSON.stringify(command))
    return true
  }

  typing(conversationId: string): boolean {
    return this.command({ type: 'typing', conversation_id: conversationId })
  }

  read(conversationId: string, upToSeq: number): boolean {
    return this.command({ type: 'read', conversation_id: conversationId, up_to_seq: upToSeq })
  }

  close(): void {
    this.closed = true
    this.stopped.abort()
    this.socket?.close(1000)
  }

  /** The frames as an async iterator, until close(). */
  async *[Symbol.asyncIterator](): AsyncGenerator<StreamFrame> {
    const queue: StreamFrame[] = []
    let wake: (() => void) | undefined
    const onFrame = (frame: StreamFrame) => {
      queue.push(frame)
      wake?.()
    }
    const onStop = () => wake?.()
    this.on('frame', onFrame)
    this.stopped.signal.addEventListener('abort', onStop)
    try {
      while (!this.closed || queue.length > 0) {
        const next = queue.shift()
        if (next) yield next
        else await new Promise<void>((resolve) => (wake = resolve))
      }
    } finally {
      this.off('frame', onFrame)
      this.stopped.signal.removeEventListener('abort', onStop)
    }
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        await withRetry(() => this.connectOnce(), {
          attempts: Number.POSITIVE_INFINITY,
          backoff: this.options.backoff ?? { baseMs: 250, capMs: 10_000 },
          signal: this.stopped.signal,
          isRetryable: (error) => error instanceof Dropped && !FATAL_CLOSES.has(error.code),
          onRetry: (error, _attempt, delay) => {
            const dropped = error as Dropped
            this.emit('connection', { state: 'closed', code: dropped.code, reason: dropped.reason, retryInMs: delay })
          },
        })
      }
    } catch (error) {
      if (this.closed) return
      const failure =
        error instanceof Chat4AllError
          ? error
          : Chat4AllError.client('stream_closed', error instanceof Error ? error.message : String(error), error)
      this.closed = true
      this.stopped.abort()
      if (this.listenerCount('error') > 0) this.emit('error', failure)
    }
  }

  private cursor(): string {
    return [...this.known].map(([id, seq]) => `${encodeURIComponent(id)}:${seq}`).join(',')
  }

  /**
   * One connection. Returns when a healthy connection ended in a way worth reconnecting at once
   * (after going live, a 4008, a 4001 once the token is refreshed); throws Dropped when it failed
   * before going live, so the retry loop backs off.
   */
  private async connectOnce(): Promise<void> {
    const token = await this.session.accessToken()
    const url = new URL('/v1/stream', `${this.baseUrl}/`)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    if (this.known.size > 0) url.searchParams.set('positions', this.cursor())
    const outcome = await new Promise<Dropped>((resolve) => {
      const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } })
      this.socket = socket
      let live = false
      let watchdog: NodeJS.Timeout | undefined
      let heartbeatMs = 30_000
      // The server pings every heartbeat: silence for two of them means the network is gone.
      const watch = () => {
        clearTimeout(watchdog)
        watchdog = setTimeout(() => socket.terminate(), heartbeatMs * 2 + 5_000)
      }
      socket.on('open', () => {
        watch()
        this.emit('connection', { state: 'open' })
      })
      socket.on('ping', watch)
      socket.on('message', (data) => {
        watch()
        const frame = JSON.parse(String(data)) as StreamFrame
        if (frame.type === 'welcome') {
          this.userId = frame.user_id
          heartbeatMs = frame.heartbeat_ms
          watch()
        }
        if (frame.type === 'ready') {
          live = true
          this.markReady()
        }
        this.pass(frame)
      })
      socket.on('error', () => undefined) // the close that follows says what happened
      socket.on('close', (code, reason) => {
        clearTimeout(watchdog)
        resolve(new Dropped(code, reason.toString(), live))
      })
    })
    this.socket = undefined
    if (this.closed) return
    if (outcome.code === 4001) {
      await this.session.refreshFrom(token) // throws (and ends the stream) when the login is gone
      return
    }
    if (outcome.code === 4008 || (outcome.wasReady && !FATAL_CLOSES.has(outcome.code))) {
      this.emit('connection', { state: 'closed', code: outcome.code, reason: outcome.reason, retryInMs: 0 })
      return
    }
    throw outcome
  }

  /** Drops what was passed on already; moves positions; acknowledges others' messages. */
  private pass(frame: StreamFrame): void {
    if (frame.type === 'message.created') {
      const { conversation_id: conversationId, seq } = frame.position
      if (seq <= (this.known.get(conversationId) ?? 0)) return
      this.known.set(conversationId, seq)
      if ((this.options.ack ?? true) && frame.message.sender_id !== this.userId) {
        this.command({ type: 'ack', conversation_id: conversationId, up_to_seq: seq })
      }
    } else if (frame.type === 'stream.reset') {
      this.known.set(frame.position.conversation_id, frame.position.seq)
    }
    this.emit('frame', frame)
  }
}
