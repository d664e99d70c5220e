/**
 * @module Adapter selection by URL scheme. Drivers load lazily, so `pg` is only imported when a
 * postgres:// URL is configured.
 */
import type { Bus } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { ConfigError } from '../config/load.js'

export interface StoreSelection {
  readonly url: string
  readonly sqliteSynchronous: 'normal' | 'full'
}

export async function openStore({ url, sqliteSynchronous }: StoreSelection): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const { createSqliteStore } = await import('./store/sqlite.js')
    return createSqliteStore({ path: url.slice('sqlite:'.length), synchronous: sqliteSynchronous })
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

export async function openBus(url: string): Promise<Bus> {
  if (url === 'memory:' || url === 'memory') {
    const { createMemoryBus } = await import('./bus/memory.js')
    return createMemoryBus()
  }
  throw new ConfigError(`CHAT4ALL_BUS '${url}' has an unknown scheme; known: memory:`)
}
