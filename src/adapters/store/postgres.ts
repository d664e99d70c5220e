/**
 * @module The PostgreSQL store (`pg`): the scaled-out shape. Any number of processes may share one
 * database: sequence numbers come from a row lock on the conversation, migrations from an advisory lock.
 */
import pg from 'pg'
import type { Store } from '../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql/driver.js'
import { migrate, postgresMigrations } from './sql/migrations.js'
import { createSqlStore } from './sql/sql-store.js'

export interface PostgresStoreOptions {
  readonly url: string
  /** A schema to keep the tables in (created when missing); tests use one per run. */
  readonly schema?: string
  readonly poolSize?: number
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
    close: () => pool.end(),
  }
  await migrate(driver, postgresMigrations, `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`)
  return createSqlStore(driver, dialect, { maxBatch: options.maxBatch ?? 256, concurrency: 4 })
}
