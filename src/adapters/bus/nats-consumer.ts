/**
 * @module One consumer group's worker on the NATS bus, in this process. Each partition has a durable
 * pull consumer (shared by every process of the group) and a pull loop here, its lane. The server
 * gives a partition's next event only once the previous one is acked, so a lane holds at most one
 * event; the events of all lanes that arrive together are gathered into batches of up to
 * `batchSize` and settled side by side. Order within a key is thus kept across processes, and
 * different partitions proceed in parallel.
 */
import type { NatsConnection } from '@nats-io/nats-core'
import type { ConsumerInfo, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream'
import { pause } from '../../core/pause.js'
import type { BatchHandler, ConsumeOptions, Consumer } from '../../ports/bus.js'
import { partitionConsumerName, partitionSubject } from './nats-partitions.js'
import { ensurePartitionConsumer } from './nats-setup.js'
import { settleMessages, type ErrorReporter } from './nats-settle.js'

/** How long one pull request waits on the server; heartbeats (half of it) reveal a lost server. */
const PULL_EXPIRES_MS = 5_000
/** Pause before a pull loop that ended on its own (server error) pulls again. */
const PULL_RESTART_MS = 1_000

export interface NatsGroupContext {
  readonly connection: NatsConnection
  readonly jsm: JetStreamManager
  readonly js: JetStreamClient
  readonly stream: string
  readonly subjectPrefix: string
  readonly partitions: number
  readonly ackWaitMs: number
  readonly report: ErrorReporter
}

interface Lane {
  readonly partition: number
  /** Received, not yet in a batch: one at most while the server holds to `max_ack_pending: 1`. */
  readonly queue: JsMsg[]
  /** An event of this lane is being settled: the next one waits, keeping its key in order. */
  busy: boolean
  /** The stream sequence last acked here: a late redelivery of it is acked again, not handled twice. */
  settledSeq: number
  messages: ConsumerMessages | undefined
  loop: Promise<void> | undefined
}

type Phase = 'created' | 'running' | 'draining' | 'stopped'

/** Server notices worth telling: the pull loop goes on, but someone should know. */
const noteworthy = new Set(['heartbeats_missed', 'consumer_deleted', 'consumer_not_found', 'stream_not_found', 'exceeded_limits'])

export function createNatsConsumer(context: NatsGroupContext, group: string, handler: BatchHandler, options: ConsumeOptions): Consumer {
  const { report } = context
  const lanes: Lane[] = Array.from({ length: context.partitions }, (_, partition) => ({
    partition,
    queue: [],
    busy: false,
    settledSeq: 0,
    messages: undefined,
    loop: undefined,
  }))
  const controller = new AbortController()
  const inFlight = new Set<Promise<void>>()
  const batchSize = Math.max(1, options.batchSize)
  let phase: Phase = 'created'
  let flushScheduled = false

  const running = () => phase === 'running' && !context.connection.isClosed()

  const giveBack = (message: JsMsg) => {
    try {
      message.nak()
    } catch (error) {
      report(error, `${group}: giving back stream sequence ${message.seq}`)
    }
  }

  const receive = (lane: Lane, message: JsMsg) => {
    if (phase !== 'running') return giveBack(message)
    lane.queue.push(message)
    scheduleFlush()
  }

  /** The lane's next message to hand over; a redelivery of one already acked here is acked again and skipped. */
  const nextOf = (lane: Lane): JsMsg | undefined => {
    for (let message = lane.queue.shift(); message; message = lane.queue.shift()) {
      if (message.seq > lane.settledSeq) return message
      try {
        message.ack()
      } catch (error) {
        report(error, `${group}: acking a redelivery of stream sequence ${message.seq}`)
      }
    }
    return undefined
  }

  // Waiting one turn of the event loop gathers the events that arrived together into one batch.
  const scheduleFlush = () => {
    if (flushScheduled) return
    flushScheduled = true
    setImmediate(flush)
  }

  const flush = () => {
    flushScheduled = false
    if (phase !== 'running') return
    const heads: { lane: Lane; message: JsMsg }[] = []
    for (const lane of lanes) {
      const message = lane.busy ? undefined : nextOf(lane)
      if (message) heads.push({ lane, message })
    }
    for (let i = 0; i < heads.length; i += batchSize) settle(heads.slice(i, i + batchSize))
  }

  const settle = (batch: readonly { lane: Lane; message: JsMsg }[]) => {
    const batchLanes = batch.map(({ lane }) => lane)
    const messages = batch.map(({ message }) => message)
    for (const lane of batchLanes) lane.busy = true
    const settling = settleMessages(messages, { group, handler, options, signal: controller.signal, ackWaitMs: context.ackWaitMs, report })
      .then((outcomes) => {
        batchLanes.forEach((lane, index) => {
          if (outcomes[index] === 'settled') lane.settledSeq = Math.max(lane.settledSeq, messages[index]!.seq)
        })
      })
      .catch((error: unknown) => report(error, `${group}: settling a batch`))
      .finally(() => {
        for (const lane of batchLanes) lane.busy = false
        inFlight.delete(settling)
        scheduleFlush()
      })
    inFlight.add(settling)
  }

  const watch = async (lane: Lane, messages: ConsumerMessages) => {
    for await (const notice of messages.status()) {
      if (noteworthy.has(notice.type)) report(new Error(`NATS consumer notice: ${JSON.stringify(notice)}`), `${group}: partition ${lane.partition}`)
    }
  }

  const pull = async (lane: Lane, info: ConsumerInfo) => {
    const consumer = context.js.consumers.getConsumerFromInfo(info)
    while (running()) {
      try {
        // One message per request: the lane has nothing to gain from more, the server allows one anyway.
        const messages = await consumer.consume({ max_messages: 1, expires: PULL_EXPIRES_MS })
        lane.messages = messages
        if (!running()) await messages.close()
        void watch(lane, messages).catch((error: unknown) => report(error, `${group}: watching partition ${lane.partition}`))
        for await (const message of messages) receive(lane, message)
      } catch (error) {
        report(error, `${group}: pulling partition ${lane.partition}`)
      }
      if (running()) await pause(PULL_RESTART_MS, controller.signal)
    }
  }

  const drain = async () => {
    if (phase === 'created' || phase === 'running') phase = 'draining'
    controller.abort()
    await Promise.all(
      lanes.map((lane) => lane.messages?.close().catch((error: unknown) => report(error, `${group}: closing partition ${lane.partition}`))),
    )
    // Received but never handed over: back to the server at once, for whichever process pulls next.
    for (const lane of lanes) lane.queue.splice(0).forEach(giveBack)
    while (inFlight.size > 0) await Promise.all(inFlight)
  }

  return {
    group,
    async start() {
      if (phase !== 'created') return
      const infos = await Promise.all(
        lanes.map((lane) =>
          ensurePartitionConsumer(context.jsm, {
            stream: context.stream,
            name: partitionConsumerName(group, lane.partition),
            subject: partitionSubject(context.subjectPrefix, lane.partition),
            ackWaitMs: context.ackWaitMs,
          }),
        ),
      )
      if (phase !== 'created') return // drained while its consumers were being made
      phase = 'running'
      lanes.forEach((lane, index) => (lane.loop = pull(lane, infos[index]!)))
    },
    drain,
    async stop() {
      await drain()
      await Promise.all(lanes.map((lane) => lane.loop))
      phase = 'stopped'
    },
  }
}
