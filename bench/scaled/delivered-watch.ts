/**
 * @module What the fixture's recipient sees: a live WebSocket (`/v1/stream`, the bench's `ws`
 * client from bench/stream/clients.ts) on an API process, and every `message.created` frame that
 * reaches it stamped with its arrival time. A message counts as routed — delivered live — when its
 * frame arrives: the worker's fan-out group addressed it and the API process holding the socket,
 * told through NATS, sent it. Exact per message, where polling a table was only as fine as its
 * interval.
 *
 * Connect it BEFORE the messages it is to see are sent: on connect the stream replays what the
 * recipient lacks, and replayed frames (everything before `ready`) are the store's work, not the
 * workers'; they are counted apart (`replayed`), never as routed. The checks a run reports: a
 * message id arriving twice (`duplicates`), a frame whose seq is not the one after its
 * conversation's previous frame (`outOfOrder`; the fixture's groups start at seq 1), and the socket
 * closing while watched (`closed`).
 */
import WebSocket from 'ws'
import { pollUntil } from '../poll.js'
import { closeAll, connect } from '../stream/clients.js'

export interface DeliveredWatch {
  /** performance.now() when the message's frame first reached the socket; undefined if not (yet). */
  deliveredAt(messageId: string): number | undefined
  /** Distinct messages delivered live so far. */
  delivered(): number
  /** Distinct messages whose frame arrived in [from, to) (performance.now()). */
  deliveredBetween(from: number, to: number): number
  /** performance.now() of the nth distinct arrival (1-based); NaN before it. */
  nthAt(n: number): number
  /** `message.created` frames for a message id already received: must be 0. */
  duplicates(): number
  /** Frames whose seq was not the one after their conversation's previous frame: must be 0. */
  outOfOrder(): number
  /** `message.created` frames replayed on connect (before `ready`): not counted as delivered live. */
  readonly replayed: number
  /** Why the socket closed while watched; undefined while it is open. */
  closed(): string | undefined
  /** Polls (every 20 ms; the arrival stamps, not the poll, are the figures) until `n` distinct messages arrived; fails early if the socket closed. */
  untilDelivered(n: number, what: string, timeoutMs: number): Promise<void>
  stop(): Promise<void>
}

interface MessageFrame {
  readonly message?: { readonly message_id?: string; readonly conversation_id?: string; readonly seq?: number }
}

export async function watchDelivered(apiUrl: string, token: string): Promise<DeliveredWatch> {
  const client = await connect(apiUrl, token)
  // Counted by the client before `ready` (the replay); nothing was sent yet, so expected 0.
  const replayed = client.messages
  const arrivedAt = new Map<string, number>()
  const arrivals: number[] = []
  const lastSeq = new Map<string, number>()
  let duplicates = 0
  let outOfOrder = 0
  let closed: string | undefined
  let stopping = false
  client.onMessage = (data, at) => {
    let message: MessageFrame['message']
    try {
      message = (JSON.parse(data.toString('utf8')) as MessageFrame).message
    } catch {
      return // not JSON: never counted, so it shows as a lost message
    }
    const id = message?.message_id
    const conversationId = message?.conversation_id
    const seq = message?.seq
    if (id === undefined || conversationId === undefined || seq === undefined) return
    if ((lastSeq.get(conversationId) ?? 0) + 1 !== seq) outOfOrder++
    lastSeq.set(conversationId, Math.max(seq, lastSeq.get(conversationId) ?? 0))
    if (arrivedAt.has(id)) {
      duplicates++
      return
    }
    arrivedAt.set(id, at)
    arrivals.push(at)
  }
  client.socket.once('close', (code, reason) => {
    if (!stopping) closed = `the recipient's stream closed: ${code} ${reason.toString()}`.trim()
  })
  const watch: DeliveredWatch = {
    deliveredAt: (id) => arrivedAt.get(id),
    delivered: () => arrivals.length,
    deliveredBetween: (from, to) => arrivals.filter((at) => at >= from && at < to).length,
    nthAt: (n) => arrivals[n - 1] ?? Number.NaN,
    duplicates: () => duplicates,
    outOfOrder: () => outOfOrder,
    replayed,
    closed: () => closed,
    untilDelivered: (n, what, timeoutMs) =>
      pollUntil(
        what,
        async () => {
          if (closed !== undefined) throw new Error(`${closed} (${arrivals.length} of ${n} messages delivered)`)
          return arrivals.length >= n
        },
        timeoutMs,
        20,
      ),
    async stop() {
      stopping = true
      if (client.socket.readyState !== WebSocket.CLOSED) await closeAll([client])
    },
  }
  return watch
}
