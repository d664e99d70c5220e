/**
 * @module The NATS JetStream bus, for the scaled-out shape. Events live in one stream, spread over
 * partitions by a stable hash of their ordering key (the conversation), one subject per partition.
 * Each consumer group has one durable pull consumer per partition, shared by all its processes; the
 * server hands out a partition's next event only after the previous one is acked, so a key's events
 * are handled in order whichever process takes them, and partitions run in parallel.
 *
 * Publishing waits for JetStream's acknowledgement; the event id is the message id, so a relay that
 * republishes after a crash is absorbed by the two-minute duplicate window. The bus is durable, so it
 * has no `settled`: the relay may forget an event once `publish` resolves.
 *
 * Take-over: when a process dies, the events it held come back to the others once the ack wait
 * (`ackWaitMs`, 3 s by default) has passed since its last sign of life. A live process says it is
 * still working every third of the ack wait, so take-over comes 2–3 s after a crash by default. A
 * process that drains gives back at once what it did not finish.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { Bus, Consumer } from '../../ports/bus.js'
import { encodeEvent } from './nats-codec.js'
import { createNatsConsumer, type NatsGroupContext } from './nats-consumer.js'
import { partitionOf, partitionSubject } from './nats-partitions.js'
import { connectNats, ensureStream } from './nats-setup.js'
import type { ErrorReporter } from './nats-settle.js'

export { deleteNatsStream } from './nats-setup.js'

export interface NatsBusOptions {
  /** `nats://host:port`, or several separated by commas. */
  readonly servers: string
  readonly stream?: string
  readonly subjectPrefix?: string
  /**
   * Partitions of the stream: the most events of one group in hand at once, and the parallelism
   * across keys. Every process of a deployment must use the same number (it decides where a key lives).
   */
  readonly partitions?: number
  /** How long the server waits for an ack before handing an event to another process. */
  readonly ackWaitMs?: number
  /** Copies of the stream a NATS cluster keeps (1 on a single server; 3 in production). */
  readonly replicas?: number
  /** The connection's name, as the server's monitoring shows it. */
  readonly name?: string
  /** Failures the bus works around (a handler error before its retry, a lost ack); for logs. */
  readonly onError?: (error: unknown, context: string) => void
}

export const natsBusDefaults = {
  stream: 'CHAT4ALL_EVENTS',
  subjectPrefix: 'chat4all.events',
  partitions: 64,
  ackWaitMs: 3_000,
  replicas: 1,
} as const

const reportToConsole: ErrorReporter = (error, context) => console.error(`[nats bus] ${context}:`, error)

export async function createNatsBus(options: NatsBusOptions): Promise<Bus> {
  const stream = options.stream ?? natsBusDefaults.stream
  const subjectPrefix = options.subjectPrefix ?? natsBusDefaults.subjectPrefix
  const partitions = options.partitions ?? natsBusDefaults.partitions
  const ackWaitMs = options.ackWaitMs ?? natsBusDefaults.ackWaitMs
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`partitions must be a positive integer, not ${partitions}`)
  const report = options.onError ?? reportToConsole

  const connection = await connectNats(options.servers, options.name)
  let context: NatsGroupContext
  try {
    const jsm = await jetstreamManager(connection)
    await ensureStream(jsm, stream, subjectPrefix, options.replicas ?? natsBusDefaults.replicas)
    context = { connection, jsm, js: jetstream(connection), stream, subjectPrefix, partitions, ackWaitMs, report }
  } catch (error) {
    await connection.close()
    throw error
  }

  const consumers = new Map<string, Consumer>()
  let closing: Promise<void> | undefined

  return {
    async publish(events) {
      if (closing || connection.isClosed()) throw new Error('bus is closed')
      // All started before any is awaited: the connection sends them in this order, the stream
      // stores them in it, and the round trips overlap.
      const acks = events.map((event) =>
        context.js.publish(partitionSubject(subjectPrefix, partitionOf(event, partitions)), encodeEvent(event), { msgID: event.id }),
      )
      await Promise.all(acks)
    },

    consume(group, handler, consumeOptions) {
      if (closing) throw new Error('bus is closed')
      if (consumers.has(group)) throw new Error(`consumer group '${group}' is already registered`)
      const consumer = createNatsConsumer(context, group, handler, consumeOptions)
      consumers.set(group, consumer)
      return consumer
    },

    close() {
      closing ??= (async () => {
        await Promise.all([...consumers.values()].map((consumer) => consumer.stop()))
        if (connection.isClosed()) return
        // Draining flushes the last acks before the connection goes.
        await connection.drain().catch((error: unknown) => report(error, 'closing the connection'))
      })()
      return closing
    },
  }
}
