/**
 * A stream client for tests: a real `ws` WebSocket that records every frame, keeps the positions
 * a real client would (from each frame's `position`), and waits with deadlines.
 */
import WebSocket from 'ws'
import { frameCheckerFor } from './documented.js'

export interface Frame {
  readonly type: string
  readonly position: { conversation_id: string; seq: number } | null
  readonly [key: string]: any
}

export interface Closed {
  readonly code: number
  readonly reason: string
}

export type TokenVia = 'header' | 'query' | 'protocol'

export interface ConnectOptions {
  readonly token?: string
  readonly via?: TokenVia
  /** Resume from these positions (`?positions=`). */
  readonly positions?: ReadonlyMap<string, number>
  /** Wait for the `ready` frame (the replay is over). Default true. */
  readonly ready?: boolean
}

/** Resolves once `check` returns a value, polling; fails after `timeoutMs` saying what was awaited. */
export async function eventually<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export const cursorOf = (positions: ReadonlyMap<string, number>): string =>
  [...positions].map(([id, seq]) => `${id}:${seq}`).join(',')

export class StreamClient {
  readonly frames: Frame[] = []
  readonly positions = new Map<string, number>()
  readonly closed: Promise<Closed>
  /** Frames that do not match the server's documented `StreamFrame` schema: waiting or closing then fails. */
  readonly undocumented: string[] = []

  private constructor(
    readonly socket: WebSocket,
    check?: (frame: unknown) => string | undefined,
  ) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame
      const mismatch = check?.(frame)
      if (mismatch) this.undocumented.push(`${frame.type}: ${mismatch} in ${data.toString().slice(0, 500)}`)
      this.frames.push(frame)
      if (frame.position) this.positions.set(frame.position.conversation_id, frame.position.seq)
    })
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  }

  static async connect(baseUrl: string, options: ConnectOptions = {}): Promise<StreamClient> {
    const url = new URL('/v1/stream', baseUrl.replace(/^http/, 'ws'))
    const headers: Record<string, string> = {}
    const protocols: string[] = []
    const via = options.via ?? 'header'
    if (options.token !== undefined) {
      if (via === 'header') headers['authorization'] = `Bearer ${options.token}`
      if (via === 'query') url.searchParams.set('token', options.token)
      if (via === 'protocol') protocols.push('chat4all.v1', `bearer.${options.token}`)
    }
    if (options.positions) url.searchParams.set('positions', cursorOf(options.positions))
    const check = await frameCheckerFor(baseUrl)
    const socket = new WebSocket(url, protocols, { headers, perMessageDeflate: false })
    const client = new StreamClient(socket, check)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    if (options.ready ?? true) await client.waitFor((f) => f.type === 'ready', 'the stream is ready')
    return client
  }

  send(command: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(command))
  }

  /** Every `message.created` frame's message, in arrival order. */
  messages(conversationId?: string): any[] {
    return this.frames
      .filter((f) => f.type === 'message.created' && (!conversationId || f.position?.conversation_id === conversationId))
      .map((f) => f.message)
  }

  /** Waits for the first frame (from `from` on) that matches. */
  async waitFor(match: (frame: Frame) => boolean, what: string, options: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    const frame = await eventually(() => this.frames.slice(options.from ?? 0).find(match), what, options.timeoutMs)
    this.assertDocumented()
    return frame
  }

  /** Throws when a frame received so far differs from the documented schema. */
  assertDocumented(): void {
    if (this.undocumented.length > 0) throw new Error(`stream frame(s) not as documented in /openapi.json: ${this.undocumented.join('\n')}`)
  }

  /** Waits until `count` messages of the conversation arrived. */
  async waitForMessages(conversationId: string, count: number, timeoutMs = 20_000): Promise<any[]> {
    await eventually(() => this.messages(conversationId).length >= count, `${count} messages in ${conversationId}`, timeoutMs)
    return this.messages(conversationId)
  }

  async close(): Promise<Closed> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close()
    const closed = await this.closed
    this.assertDocumented()
    return closed
  }
}
