/**
 * @module What the NATS bus sets up on the server: the connection, the event stream and the durable
 * per-partition consumers. Every step is idempotent, so any number of processes may run it at once
 * and a restart with changed settings (ack wait, retention) updates what exists.
 */
import { connect } from '@nats-io/transport-node'
import { nanos, type NatsConnection } from '@nats-io/nats-core'
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream'

const DAY_MS = 24 * 60 * 60 * 1000
/** How long events stay: enough for a group that was down for days to catch up. */
const RETENTION_MS = 7 * DAY_MS
/** A relay republishing after a crash does so within this window, where the server drops the copy. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000
/** The server's answer when a stream exists with other settings. */
const STREAM_NAME_IN_USE = 10058

/** `nats://host:port[,nats://host:port…]` as the client wants it: host:port, no scheme. */
export function serverList(servers: string): string[] {
  return servers
    .split(',')
    .map((server) => server.trim().replace(/^nats:\/\//, ''))
    .filter((server) => server !== '')
}

export function connectNats(servers: string, name: string | undefined): Promise<NatsConnection> {
  // A lost server is waited for, not given up on: the pull loops and publishes resume on reconnect.
  return connect({ servers: serverList(servers), maxReconnectAttempts: -1, ...(name === undefined ? {} : { name }) })
}

/**
 * The event stream. Limits retention, not interest or work-queue: a group whose consumers do not
 * exist yet (a first deploy, a new group) must still find every event when it starts.
 */
export async function ensureStream(jsm: JetStreamManager, name: string, subjectPrefix: string, replicas: number): Promise<void> {
  const config = {
    name,
    subjects: [`${subjectPrefix}.*`],
    retention: RetentionPolicy.Limits,
    max_age: nanos(RETENTION_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    storage: StorageType.File,
    // One replica suits a single server; production clusters run three (R3) so a node loss loses nothing.
    num_replicas: replicas,
  } satisfies Partial<StreamConfig> & { name: string }
  try {
    await jsm.streams.add(config)
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error
    await jsm.streams.update(name, config)
  }
}

export interface PartitionConsumerSpec {
  readonly stream: string
  readonly name: string
  readonly subject: string
  readonly ackWaitMs: number
}

/**
 * The durable pull consumer of one group on one partition. `max_ack_pending: 1` is what orders a key
 * across processes: the server hands out a partition's next event only once the previous one is
 * acked, whichever process holds it. `max_deliver: -1`: giving up is the consumer's decision
 * (`maxAttempts`, counted from the delivery count), not the server's. Creating an existing consumer
 * updates it.
 */
export function ensurePartitionConsumer(jsm: JetStreamManager, spec: PartitionConsumerSpec): Promise<ConsumerInfo> {
  return jsm.consumers.add(spec.stream, {
    durable_name: spec.name,
    filter_subject: spec.subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: 1,
    max_deliver: -1,
  })
}

/** Removes a stream and its consumers (tests, tear-down); a missing stream is fine. */
export async function deleteNatsStream(servers: string, stream: string): Promise<void> {
  const connection = await connect({ servers: serverList(servers), maxReconnectAttempts: 0 })
  try {
    const jsm = await jetstreamManager(connection)
    await jsm.streams.delete(stream)
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error
  } finally {
    await connection.close()
  }
}
