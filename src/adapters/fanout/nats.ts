/**
 * @module The fan-out across processes on core NATS, not JetStream: live delivery is best effort by
 * design, and a client that missed an envelope is made whole by the stream's resume from the store.
 *
 * Subjects: one broadcast subject, `<prefix>.all`. Every process with a subscriber listens on it, and
 * each hub keeps what is for its own connections. This is what the port promises (every subscriber
 * sees every envelope), and presence needs it: every process keeps everyone's online state. The cost
 * is O(API processes) per envelope on the wire instead of O(recipients), which is fine for a handful
 * of API processes. At large scale the fix is routing by interest. There would be partition subjects
 * `<prefix>.p.<hash(user) mod N>`, and the publisher would split `to` by partition. Each API process
 * would subscribe only to the partitions of the users connected to it, which needs the port to learn
 * who is local. Presence bookkeeping would stay on the broadcast subject.
 *
 * Order: each process has one connection, and NATS keeps a connection's publish order to every
 * subscriber, so each publisher's envelopes arrive in the order it sent them. The subscription is made
 * at the first subscribe, so a process that only publishes (a worker) is never sent the traffic.
 * Echo stays on: a process hears its own envelopes like everyone else's, as the port promises.
 */
import { connect, type Msg, type Subscription } from '@nats-io/transport-node'
import type { Envelope } from '../../core/stream/live-event.js'
import type { Fanout } from '../../ports/fanout.js'

export interface NatsFanoutOptions {
  /** `nats://host:port`, or several of them separated by commas. */
  readonly servers: string
  /** Subjects start with it (default `chat4all.live`), which keeps deployments on one server apart. */
  readonly subjectPrefix?: string
  /** The connection's name in the server's monitoring. */
  readonly name?: string
}

export interface NatsFanout extends Fanout {
  /**
   * Resolves once the server has everything this process sent so far, its subscription included.
   * After that, anything any process publishes reaches this process's subscribers.
   */
  flush(): Promise<void>
}

type Handler = (envelope: Envelope) => void

/** The client wants `host:port`. A path or query (e.g. the bus's `?namespace=`) is not ours to read. */
export function serverList(servers: string): string[] {
  return servers
    .split(',')
    .map((server) => server.trim().replace(/^nats:\/\//, '').replace(/[/?].*$/, ''))
    .filter((server) => server !== '')
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Checks what the hubs rely on (the addressees, the event's type) and leaves the event's meaning to them. */
function decode(text: string): Envelope | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(value) || !isRecord(value['event']) || typeof value['event']['type'] !== 'string') return undefined
  const to = value['to']
  if (!Array.isArray(to) || !to.every((userId) => typeof userId === 'string')) return undefined
  return value as unknown as Envelope
}

export async function createNatsFanout(options: NatsFanoutOptions): Promise<NatsFanout> {
  const nc = await connect({
    servers: serverList(options.servers),
    name: options.name ?? 'chat4all-live',
    // A process outlives any NATS outage. Reconnect for as long as it takes; the resume makes up for what was missed.
    maxReconnectAttempts: -1,
  })
  const subject = `${options.subjectPrefix ?? 'chat4all.live'}.all`
  const handlers = new Set<Handler>()
  let subscription: Subscription | undefined
  let closing: Promise<void> | undefined

  const dispatch = (error: Error | null, msg: Msg) => {
    if (error) {
      process.emitWarning(`fanout subscription failed: ${String(error)}`)
      return
    }
    const envelope = decode(msg.string())
    if (!envelope) {
      process.emitWarning(`fanout dropped an undecodable envelope: ${msg.string().slice(0, 200)}`)
      return
    }
    for (const handler of handlers) {
      // One failing subscriber must not keep the envelope from the others.
      try {
        handler(envelope)
      } catch (err) {
        process.emitWarning(`a fanout subscriber threw: ${String(err)}`)
      }
    }
  }

  return {
    async publish(envelope) {
      if (closing) throw new Error('fanout is closed')
      // Queued on the connection, which writes in order. A flush per message would cost a round trip each.
      nc.publish(subject, JSON.stringify(envelope))
    },
    subscribe(handler) {
      if (closing) return () => undefined
      handlers.add(handler)
      subscription ??= nc.subscribe(subject, { callback: dispatch })
      return () => void handlers.delete(handler)
    },
    flush() {
      return nc.flush()
    },
    close() {
      closing ??= (async () => {
        // Drain: envelopes already published (a closing session's offline announcement) still leave.
        if (!nc.isClosed()) await nc.drain()
        handlers.clear()
      })()
      return closing
    },
  }
}
