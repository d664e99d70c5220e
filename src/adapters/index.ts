/**
 * @module Adapter selection by URL scheme. Drivers load lazily, so `pg` is only imported when a
 * postgres:// URL is configured.
 */
import { resolve } from 'node:path'
import type { BlobStore } from '../ports/blobs.js'
import type { Bus } from '../ports/bus.js'
import type { Fanout } from '../ports/fanout.js'
import type { Store } from '../ports/store.js'
import type { RateLimitStore } from '../ports/rate-limits.js'
import { createMemoryRateLimitStore } from './rate-limits/memory.js'
import type { Logger } from 'pino'
import { ConfigError, type BusSettings, type FileConfig } from '../config/load.js'

export interface StoreSelection {
  readonly url: string
  readonly sqliteSynchronous: 'normal' | 'full'
  readonly sqliteThread: 'worker' | 'main'
}

export async function openStore({ url, sqliteSynchronous, sqliteThread }: StoreSelection): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const options = { path: url.slice('sqlite:'.length), synchronous: sqliteSynchronous }
    if (sqliteThread === 'main') {
      const { createSqliteStore } = await import('./store/sqlite.js')
      return createSqliteStore(options)
    }
    const { createSqliteWorkerStore } = await import('./store/worker/client.js')
    return createSqliteWorkerStore(options)
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { createPostgresStore } = await import('./store/postgres.js')
    const parsed = new URL(url)
    const schema = parsed.searchParams.get('schema') ?? undefined
    parsed.searchParams.delete('schema')
    return createPostgresStore({ url: parsed.toString(), ...(schema ? { schema } : {}) })
  }
  throw new ConfigError(`CHAT4ALL_DB '${url}' has an unknown scheme; known: sqlite:, postgres://`)
}

/**
 * Rate-limit counters: in this process's memory (one API process sees every request), or in the
 * store, shared by every API process (the store implements the counter port).
 */
export function openRateLimits(kind: 'memory' | 'database', store: Store): RateLimitStore {
  return kind === 'database' ? store : createMemoryRateLimitStore()
}

/**
 * `nats://host:4222[,host2:4222][?namespace=name]`: the servers, and the namespace that prefixes the
 * stream and every subject (default `chat4all`), so several deployments can share one NATS.
 */
export function parseNatsUrl(url: string): { servers: string; namespace: string } {
  const [servers = '', query = ''] = url.slice('nats://'.length).split('?')
  const namespace = new URLSearchParams(query).get('namespace') ?? 'chat4all'
  if (!/^[A-Za-z0-9_-]+$/.test(namespace)) throw new ConfigError(`CHAT4ALL_BUS namespace '${namespace}' may hold only letters, digits, _ and -`)
  if (!servers) throw new ConfigError(`CHAT4ALL_BUS '${url}' names no server`)
  return { servers: servers.split(',').map((server) => `nats://${server}`).join(','), namespace }
}

/** The live fan-out goes with the bus: in-process with the memory bus, NATS core subjects with NATS. */
export async function openFanout(busUrl: string): Promise<Fanout> {
  if (busUrl === 'memory:' || busUrl === 'memory') {
    const { createMemoryFanout } = await import('./fanout/memory.js')
    return createMemoryFanout()
  }
  if (busUrl.startsWith('nats://')) {
    const { servers, namespace } = parseNatsUrl(busUrl)
    const { createNatsFanout } = await import('./fanout/nats.js')
    return createNatsFanout({ servers, subjectPrefix: `${namespace}.live`, name: 'chat4all-fanout' })
  }
  throw new ConfigError(`CHAT4ALL_BUS '${busUrl}' has an unknown scheme; known: memory:, nats://`)
}

export async function openBus(url: string, settings: BusSettings, logger: Logger): Promise<Bus> {
  if (url === 'memory:' || url === 'memory') {
    const { createMemoryBus } = await import('./bus/memory.js')
    return createMemoryBus()
  }
  if (url.startsWith('nats://')) {
    const { servers, namespace } = parseNatsUrl(url)
    const { createNatsBus } = await import('./bus/nats.js')
    return createNatsBus({
      servers,
      stream: `${namespace.toUpperCase()}_EVENTS`,
      subjectPrefix: `${namespace}.events`,
      partitions: settings.partitions,
      ackWaitMs: settings.ackWaitMs,
      replicas: settings.replicas,
      name: 'chat4all-bus',
      onError: (error: unknown, context: string) => logger.warn({ err: error, context }, 'bus connection trouble'),
    })
  }
  throw new ConfigError(`CHAT4ALL_BUS '${url}' has an unknown scheme; known: memory:, nats://`)
}

/**
 * The blob store: `file:<dir>` (relative to the working directory) or
 * `s3://bucket[/prefix]?endpoint=…&region=…&force_path_style=true`; the SDK loads only for s3://.
 */
export async function openBlobs(files: FileConfig, onWarning: (message: string) => void): Promise<BlobStore> {
  const url = files.blobs
  if (url.startsWith('file:')) {
    const { createFileBlobStore } = await import('./blobs/file.js')
    return createFileBlobStore({ root: resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')) })
  }
  if (url.startsWith('s3://')) {
    const parsed = new URL(url)
    const param = (name: string) => parsed.searchParams.get(name) ?? undefined
    const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '')
    const endpoint = param('endpoint')
    const { createS3BlobStore } = await import('./blobs/s3.js')
    return createS3BlobStore({
      bucket: parsed.hostname,
      ...(prefix ? { prefix } : {}),
      ...(endpoint ? { endpoint } : {}),
      region: param('region') ?? 'us-east-1',
      forcePathStyle: ['true', '1', 'yes'].includes(param('force_path_style') ?? ''),
      ...(files.s3AccessKeyId && files.s3SecretAccessKey
        ? { credentials: { accessKeyId: files.s3AccessKeyId, secretAccessKey: files.s3SecretAccessKey } }
        : {}),
      bufferPartSize: files.chunkBytes,
      onWarning,
    })
  }
  throw new ConfigError(`CHAT4ALL_BLOBS '${url}' has an unknown scheme; known: file:, s3://`)
}

export { addressSchemes, connectorDefinitions } from './connectors/index.js'
