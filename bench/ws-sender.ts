/**
 * @module Sends messages with the stream's `send` command on one WebSocket, any number unanswered
 * at once. The server answers a connection's commands in the order sent (docs/stream.md), so each
 * reply settles the oldest pending send; its echoed `id` is checked against that one all the same.
 */
import WebSocket from 'ws'
import type { BenchClient } from './stream/clients.js'

export interface SendReply {
  /** `accepted` / `duplicate` from an `ok`; `error` with its code and HTTP status; `closed` if the socket ended first. */
  readonly outcome: 'accepted' | 'duplicate' | 'error' | 'closed'
  readonly status: number
  readonly code?: string | undefined
  readonly seq: number
  /** performance.now() when the reply arrived. */
  readonly at: number
}

interface Pending {
  readonly id: string
  readonly resolve: (reply: SendReply) => void
}

interface ReplyFrame {
  readonly type: 'ok' | 'error'
  readonly id?: string
  readonly seq?: number
  readonly status?: string | number
  readonly code?: string
}

const OK = Buffer.from('{"type":"ok"')
const ERROR = Buffer.from('{"type":"error"')

export class PipelinedSender {
  /** Sends awaiting their reply, oldest at `head`; answered slots are cleared, and compacted now and then. */
  private readonly pending: (Pending | undefined)[] = []
  private head = 0
  private nextId = 0
  /** Replies whose `id` was not the oldest pending send's (a broken ordering promise): must stay 0. */
  outOfOrder = 0

  constructor(private readonly client: BenchClient) {
    client.onFrame = (data, at) => {
      if (!data.subarray(0, OK.length).equals(OK) && !data.subarray(0, ERROR.length).equals(ERROR)) return
      const frame = JSON.parse(data.toString()) as ReplyFrame
      const pending = this.pending[this.head]
      if (!pending) return
      this.pending[this.head++] = undefined
      if (this.head > 4096 && this.head * 2 > this.pending.length) this.compact()
      if (frame.id !== pending.id) this.outOfOrder++
      pending.resolve(
        frame.type === 'ok'
          ? { outcome: frame.status === 'duplicate' ? 'duplicate' : 'accepted', status: 202, seq: frame.seq ?? Number.NaN, at }
          : { outcome: 'error', status: Number(frame.status), code: frame.code, seq: Number.NaN, at },
      )
    }
    client.socket.once('close', () => {
      const at = performance.now()
      for (let i = this.head; i < this.pending.length; i++) this.pending[i]?.resolve({ outcome: 'closed', status: 0, seq: Number.NaN, at })
      this.pending.length = 0
      this.head = 0
    })
  }

  /** Sends unanswered right now. */
  get inFlight(): number {
    return this.pending.length - this.head
  }

  get open(): boolean {
    return this.client.socket.readyState === WebSocket.OPEN
  }

  /** Writes one `send` and resolves with its reply (never rejects: a closed socket is an outcome). */
  send(messageId: string, conversationId: string, text: string): Promise<SendReply> {
    if (!this.open) return Promise.resolve({ outcome: 'closed', status: 0, seq: Number.NaN, at: performance.now() })
    const id = String(this.nextId++)
    return new Promise<SendReply>((resolve) => {
      this.pending.push({ id, resolve })
      this.client.socket.send(
        JSON.stringify({ type: 'send', id, message_id: messageId, conversation_id: conversationId, payload: { type: 'text', text } }),
      )
    })
  }

  private compact(): void {
    this.pending.splice(0, this.head)
    this.head = 0
  }
}
