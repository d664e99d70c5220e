/**
 * @module The PostgreSQL store (`pg`): the scaled-out shape. Any number of processes may share one
 * database: sequence numbers come from a row lock on the conversation, migrations from an advisory lock.
 */
import pg from 'pg'
import { createPostgresOutboxSignal } from './postgres-outbox-signal.js'
import type { LockMode, LockStore, Store } from '../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql/driver.js'
import { migrate, postgresMigrations } from './sql/migrations.js'
import { createSqlStore } from './sql/sql-store.js'

export interface PostgresStoreOptions {
  readonly url: string
  /** A schema to keep the tables in (created when missing); tests use one per run. */
  readonly schema?: string
  readonly poolSize?: number
  /** Most named locks (`withLock`) held at once by this process, each on a connection of its own; default poolSize. */
  readonly lockPoolSize?: number
  readonly maxBatch?: number
}

const dialect: SqlDialect = {
  name: 'postgres',
  forUpdate: 'FOR UPDATE',
  inList: (column, param) => `${column} = ANY(${param})`,
  listParam: (values) => values,
  locksOutboxWhilePublishing: true,
  uniqueViolationAbortsTransaction: true,
  isUniqueViolation: (error) => (error as { code?: string }).code === '23505',
  // The two-key form, with a class of its own: it never meets the single-key locks of migrations and the relay.
  keyLock: `SELECT pg_advisory_xact_lock(hashtext('chat4all.key-lock'), hashtext($1))`,
}

// BIGINT columns hold epoch milliseconds and sequence numbers, all far below 2^53.
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    query: async <T extends SqlRow>(sql: string, params?: readonly SqlValue[]) =>
      (await client.query<T>(sql, params as unknown[])).rows,
    run: async (sql, params) => (await client.query(sql, params as unknown[])).rowCount ?? 0,
  }
}

const ADVISORY_LOCK_KEY = 0x43_34_41 // "C4A": one lock for the migration step of every process

/**
 * Named locks as session-level advisory locks, each held on a connection of its own while its work
 * runs. Those connections come from a pool apart from the queries': work holding a lock runs queries,
 * and would wait forever for a connection if lock holders could take every one. The key is two int4
 * (schema, name), a space apart from the single int8 keys of the migration and relay locks.
 */
function createAdvisoryLocks(pool: pg.Pool): LockStore {
  const key = 'hashtext(current_schema()), hashtext($1)'
  const hold = async <T>(name: string, mode: LockMode, wait: boolean, work: () => Promise<T>) => {
    const kind = mode === 'shared' ? '_shared' : ''
    const client = await pool.connect()
    let healthy = false
    try {
      let held = true
      if (wait) await client.query(`SELECT pg_advisory_lock${kind}(${key})`, [name])
      else held = (await client.query<{ held: boolean }>(`SELECT pg_try_advisory_lock${kind}(${key}) AS held`, [name])).rows[0]?.held === true
      healthy = true
      if (!held) return undefined
      try {
        return { value: await work() }
      } finally {
        healthy = await client.query(`SELECT pg_advisory_unlock${kind}(${key})`, [name]).then(
          () => true,
          () => false,
        )
      }
    } finally {
      // A session that may still hold the lock is closed instead of pooled: the lock ends with it.
      client.release(healthy ? undefined : new Error('advisory lock session abandoned'))
    }
  }
  return {
    withLock: async (name, work, mode = 'exclusive') => (await hold(name, mode, true, work))!.value,
    tryWithLock: (name, work, mode = 'exclusive') => hold(name, mode, false, work),
  }
}

export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name '${schema}'`)
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 16,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  })
  const lockPool = new pg.Pool({
    connectionString: options.url,
    max: options.lockPoolSize ?? options.poolSize ?? 16,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  lockPool.on('error', () => {
    // As above; a lock held on a lost connection ended with its session.
  })
  if (schema) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((error: { code?: string }) => {
      // Two processes creating the schema at once: the loser sees a duplicate, which is fine.
      if (error.code !== '23505' && error.code !== '42P06') throw error
    })
  }
  const driver: SqlDriver = {
    ...executor(pool),
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await work(executor(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    close: async () => {
      await Promise.all([pool.end(), lockPool.end()])
    },
  }
  await migrate(driver, postgresMigrations, `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`)
  return createSqlStore(driver, dialect, {
    maxBatch: options.maxBatch ?? 256,
    concurrency: 4,
    locks: createAdvisoryLocks(lockPool),
    outboxSignal: createPostgresOutboxSignal(pool, options.url, schema ?? 'public'),
  })
}
