/**
 * @module The live stream (/v1/stream, docs/stream.md) with reconnect and resume. The page says
 * which positions it holds; every reconnect names them, so the server replays exactly what is
 * missing — no gap, no duplicate. A dead connection (offline, laptop sleep, a proxy that drops
 * it silently) is noticed by the browser's offline event or by pings left unanswered.
 */
import type { Session } from './session.js'
import type { StreamFrame } from './types.js'

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'signed-out'

export interface StreamHandlers {
  /** conversation id → seq of the last message held, for the resume. */
  positions(): ReadonlyMap<string, number>
  onFrame(frame: StreamFrame): void
  onState(state: StreamState): void
}

const pingEveryMs = 10_000
/** No frame for this long (a ping's pong included) means the connection is dead. */
const silenceMs = 20_000
const maxBackoffMs = 15_000

export function positionsCursor(positions: ReadonlyMap<string, number>): string {
  return [...positions].map(([id, seq]) => `${encodeURIComponent(id)}:${seq}`).join(',')
}

export class StreamConnection {
  private socket: WebSocket | null = null
  private attempt = 0
  private stopped = false
  private wasLive = false
  private lastFrameAt = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private readonly pingTimer: ReturnType<typeof setInterval>
  private readonly onOffline = () => this.drop()
  private readonly onOnline = () => this.reconnectNow()

  constructor(
    private readonly session: Session,
    private readonly handlers: StreamHandlers,
  ) {
    this.pingTimer = setInterval(() => this.heartbeat(), pingEveryMs)
    addEventListener('offline', this.onOffline)
    addEventListener('online', this.onOnline)
    void this.connect()
  }

  /** Sends a command when the connection is live; false when it is not (the caller keeps it). */
  send(command: Readonly<Record<string, unknown>>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false
    this.socket.send(JSON.stringify(command))
    return true
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.pingTimer)
    clearTimeout(this.retryTimer)
    removeEventListener('offline', this.onOffline)
    removeEventListener('online', this.onOnline)
    this.detach()?.close(1000)
  }

  /** `quiet`: a planned reconnect (a token that expired), not shown as a lost connection. */
  private async connect(quiet = false): Promise<void> {
    if (this.stopped) return
    if (!quiet) this.handlers.onState(this.wasLive ? 'reconnecting' : 'connecting')
    let token: string
    try {
      token = await this.session.accessToken()
    } catch {
      // Signed out (the session listener takes over) or the network is down: try again later.
      if (!this.session.username) return this.handlers.onState('signed-out')
      return this.retry()
    }
    if (this.stopped) return
    const cursor = positionsCursor(this.handlers.positions())
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
    const url = `${scheme}//${location.host}/v1/stream${cursor ? `?positions=${cursor}` : ''}`
    const socket = new WebSocket(url, ['chat4all.v1', `bearer.${token}`])
    this.socket = socket
    this.lastFrameAt = Date.now()
    socket.onmessage = (event) => {
      this.lastFrameAt = Date.now()
      const frame = JSON.parse(String(event.data)) as StreamFrame
      if (frame.type === 'ready') {
        this.attempt = 0
        this.wasLive = true
        this.handlers.onState('live')
      }
      this.handlers.onFrame(frame)
    }
    socket.onclose = (event) => {
      if (this.socket !== socket) return
      this.socket = null
      // 4001: the token expired (every 15 minutes by default) or was refused. A fresh one, then at once.
      if (event.code === 4001) void this.session.refresh().then(() => void this.connect(true), () => this.retry())
      else if (event.code === 4008) this.reconnectNow()
      else this.retry()
    }
  }

  private heartbeat(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return
    if (Date.now() - this.lastFrameAt > silenceMs) return this.drop()
    this.socket.send('{"type":"ping"}')
  }

  /** Gives up on the current connection at once (its close may take long to arrive) and retries. */
  private drop(): void {
    const socket = this.detach()
    if (!socket) return
    socket.close()
    this.retry()
  }

  private reconnectNow(): void {
    if (this.socket?.readyState === WebSocket.OPEN && navigator.onLine) return
    this.detach()?.close()
    clearTimeout(this.retryTimer)
    this.attempt = 0
    void this.connect()
  }

  private retry(): void {
    if (this.stopped) return
    this.handlers.onState(this.wasLive ? 'reconnecting' : 'connecting')
    clearTimeout(this.retryTimer)
    // Capped exponential backoff with full jitter: a restarted server is not stampeded.
    const ceiling = Math.min(maxBackoffMs, 500 * 2 ** this.attempt++)
    this.retryTimer = setTimeout(() => void this.connect(), Math.random() * ceiling)
  }

  private detach(): WebSocket | null {
    const socket = this.socket
    if (socket) {
      socket.onmessage = null
      socket.onclose = null
    }
    this.socket = null
    return socket
  }
}
