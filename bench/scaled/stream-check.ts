/**
 * @module Reads back every event id (Nats-Msg-Id) a deployment's stream holds. The relay publishes
 * with the event id as the dedup key; an id held twice means a republished event got through the
 * server's duplicate window, and consumers would see it twice. An ordered consumer reads the whole
 * stream in one pass (a get per sequence would cost a round trip per event).
 */
import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'

export interface StreamCheck {
  /** Events in the stream. */
  readonly events: number
  /** Distinct Nats-Msg-Id among them. */
  readonly distinctIds: number
  /** events − distinctIds: must be 0. */
  readonly duplicates: number
  readonly ms: number
}

export async function checkStreamIds(natsUrl: string, stream: string, timeoutMs = 60_000): Promise<StreamCheck> {
  const started = performance.now()
  const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, '') })
  try {
    const jsm = await jetstreamManager(nc)
    const { state } = await jsm.streams.info(stream)
    const ids = new Set<string>()
    let events = 0
    if (state.messages > 0) {
      const consumer = await jetstream(nc).consumers.get(stream)
      const messages = await consumer.consume({ max_messages: 1_000 })
      const timer = setTimeout(() => void messages.close(), timeoutMs)
      for await (const message of messages) {
        events++
        ids.add(message.headers?.get('Nats-Msg-Id') ?? `(no id at ${message.seq})`)
        if (message.seq >= state.last_seq) break
      }
      clearTimeout(timer)
      await messages.close()
      if (events < state.messages) throw new Error(`read ${events} of ${state.messages} stream events before the timeout`)
    }
    return { events, distinctIds: ids.size, duplicates: events - ids.size, ms: Math.round(performance.now() - started) }
  } finally {
    await nc.close()
  }
}

export interface StreamWatch {
  /** Events in the stream now. */
  events(): Promise<number>
  /** Per consumer group: events not yet handed out plus handed out and not yet acknowledged. */
  pendingByGroup(): Promise<Record<string, number>>
  close(): Promise<void>
}

/** One connection for polling a stream and its consumers while a scenario runs. */
export async function watchStream(natsUrl: string, stream: string): Promise<StreamWatch> {
  const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, '') })
  const jsm = await jetstreamManager(nc)
  return {
    events: async () => (await jsm.streams.info(stream)).state.messages,
    async pendingByGroup() {
      const pending: Record<string, number> = {}
      for await (const info of jsm.consumers.list(stream)) {
        // Consumers are named <group>_p<partition>: one per group and partition.
        const group = info.name.replace(/_p\d+$/, '')
        pending[group] = (pending[group] ?? 0) + info.num_pending + info.num_ack_pending
      }
      return pending
    },
    close: () => nc.close(),
  }
}
