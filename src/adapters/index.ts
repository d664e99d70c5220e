/**
 * @module Adapter selection by URL scheme. Drivers load lazily, so `pg` is only imported when a
 * postgres:// URL is configured.
 */
import { resolve } from 'node:path'
import type { BlobStore } from '../ports/blobs.js'
import type { Bus } from '../ports/bus.js'
import type { Fanout } from '../ports/fanout.js'
import type { Store } from '../ports/store.js'
import { ConfigError, type FileConfig } from '../config/load.js'

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

/** The live fan-out goes with the bus: in-process with the memory bus, NATS core subjects with NATS. */
export async function openFanout(busUrl: string): Promise<Fanout> {
  if (busUrl === 'memory:' || busUrl === 'memory') {
    const { createMemoryFanout } = await import('./fanout/memory.js')
    return createMemoryFanout()
  }
  throw new ConfigError(`CHAT4ALL_BUS '${busUrl}' has no live fan-out adapter; known: memory:`)
}

export async function openBus(url: string): Promise<Bus> {
  if (url === 'memory:' || url === 'memory') {
    const { createMemoryBus } = await import('./bus/memory.js')
    return createMemoryBus()
  }
  throw new ConfigError(`CHAT4ALL_BUS '${url}' has an unknown scheme; known: memory:`)
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
