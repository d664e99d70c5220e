/**
 * A scaled-out deployment for a test: processes by role on the local PostgreSQL (a schema of the
 * test's own) and NATS (a namespace of the test's own), each a real `chat4all serve` process.
 */
import pg from 'pg'
import { spawnServer, tempDir, type ServerProcess } from './platform.js'
import { dropSchema, postgresUrl, uniqueSchema } from './postgres.js'
import { natsUrl, uniqueName } from './nats.js'
import type { ApiClient } from './client.js'
import { startReceiver } from './receiver.js'

export interface ScaledProcess extends ServerProcess {
  readonly role: string
}

export interface Deployment {
  readonly env: Record<string, string>
  /** The JetStream stream holding the deployment's events. */
  readonly stream: string
  readonly schema: string
  readonly processes: ScaledProcess[]
  start(role: string, extraEnv?: Record<string, string>): Promise<ScaledProcess>
  /** Runs a query on the deployment's schema. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>
  /** SIGTERMs what is still running and drops the schema and stream. */
  close(): Promise<void>
}

export async function deployment(settings: { nats?: string; env?: Record<string, string> } = {}): Promise<Deployment> {
  const schema = uniqueSchema('c4a_scaled')
  const namespace = uniqueName('c4a')
  const dir = tempDir('chat4all-scaled-')
  const bus = `${settings.nats ?? natsUrl}?namespace=${namespace}`
  const env: Record<string, string> = {
    CHAT4ALL_DB: `${postgresUrl}?schema=${schema}`,
    CHAT4ALL_BUS: bus,
    CHAT4ALL_JWT_SECRET: 'scaled-out-test-secret-'.padEnd(48, 'x'),
    CHAT4ALL_DATA_DIR: dir.path,
    CHAT4ALL_PORT: '0',
    CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
    ...settings.env,
  }
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  const processes: ScaledProcess[] = []
  return {
    env,
    stream: `${namespace.toUpperCase()}_EVENTS`,
    schema,
    processes,
    async start(role, extraEnv = {}) {
      const server = await spawnServer({ ...env, ...extraEnv }, ['--role', role])
      const started = { ...server, role }
      processes.push(started)
      return started
    },
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      await client.query(`SET search_path TO ${schema}`)
      return (await client.query<T>(sql, params)).rows
    },
    async close() {
      for (const process of processes) process.child.kill('SIGTERM')
      await Promise.all(processes.map((p) => p.exited))
      await client.end()
      await dropSchema(schema)
      await deleteStream(settings.nats ?? natsUrl, `${namespace.toUpperCase()}_EVENTS`).catch(() => undefined)
      dir.remove()
    },
  }
}

async function deleteStream(url: string, stream: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node')
  const { jetstreamManager } = await import('@nats-io/jetstream')
  const nc = await connect({ servers: url.replace(/^nats:\/\//, '') })
  try {
    const jsm = await jetstreamManager(nc)
    await jsm.streams.delete(stream).catch(() => undefined)
  } finally {
    await nc.close()
  }
}

/** Polls until `check` returns a value; fails after `timeoutMs` saying what was awaited. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Every message id (Nats-Msg-Id) the stream holds, in stream order: doubles mean dedup failed. */
export async function streamMessageIds(url: string, stream: string): Promise<string[]> {
  const { connect } = await import('@nats-io/transport-node')
  const { jetstreamManager } = await import('@nats-io/jetstream')
  const nc = await connect({ servers: url.replace(/^nats:\/\//, '') })
  try {
    const jsm = await jetstreamManager(nc)
    const { state } = await jsm.streams.info(stream)
    const ids: string[] = []
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null)
      if (message) ids.push(message.header.get('Nats-Msg-Id'))
    }
    return ids
  } finally {
    await nc.close()
  }
}

/**
 * Counts what the worker processes handled for one member: a webhook of theirs (to a loopback
 * receiver) gets one durable delivery row per `message.created` the `webhooks` consumer group
 * handled, keyed per (webhook, event), so the count is exact whatever was redelivered.
 */
export async function routedWatch(cluster: Deployment, member: ApiClient): Promise<{ count(): Promise<number>; close(): Promise<void> }> {
  const receiver = await startReceiver(() => 200)
  const created = await member.post('/v1/webhooks', { url: receiver.url, events: ['message.created'] })
  if (created.status !== 201) throw new Error(`webhook registration failed: ${created.status}`)
  const webhookId = created.body.webhook_id as string
  return {
    async count() {
      const [row] = await cluster.query<{ n: string }>('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = $1', [webhookId])
      return Number(row?.n)
    },
    close: () => receiver.close(),
  }
}
