/**
 * @module The SQLite store (better-sqlite3, WAL): the all-in-one default. One writer connection
 * serialised by a queue, one reader connection that never waits for the writer.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { Store } from '../../ports/store.js'
import { createLocalLocks } from './local-locks.js'
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql/driver.js'
import { migrate, sqliteMigrations } from './sql/migrations.js'
import { createSqlStore } from './sql/sql-store.js'
import { startCheckpointer } from './sqlite-checkpointer.js'

export interface SqliteStoreOptions {
  /** Database file; created with its directory when missing. */
  readonly path: string
  /** `normal` survives a process crash; `full` also survives power loss, at a cost per commit. */
  readonly synchronous?: 'normal' | 'full'
  readonly maxBatch?: number
}

const dialect: SqlDialect = {
  name: 'sqlite',
  forUpdate: '',
  inList: (column, param) => `${column} IN (SELECT value FROM json_each(${param}))`,
  listParam: (values) => JSON.stringify(values),
  locksOutboxWhilePublishing: false,
  uniqueViolationAbortsTransaction: false,
  // Not every constraint: a NOT NULL or foreign key failure must not pass for a duplicate.
  isUniqueViolation: (error) => {
    const code = (error as { code?: string }).code
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  },
}

type Params = Record<number, string | number | null>

function bind(params: readonly SqlValue[] = []): Params {
  const bound: Params = {}
  params.forEach((value, i) => {
    bound[i + 1] = typeof value === 'boolean' ? Number(value) : Array.isArray(value) ? JSON.stringify(value) : (value as string | number | null)
  })
  return bound
}

function executor(db: Database.Database): SqlExecutor {
  const statements = new Map<string, Database.Statement>()
  const prepare = (sql: string) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  return {
    query: async <T extends SqlRow>(sql: string, params?: readonly SqlValue[]) => {
      const statement = prepare(sql)
      return (statement.reader ? statement.all(bind(params)) : (statement.run(bind(params)), [])) as T[]
    },
    run: async (sql, params) => prepare(sql).run(bind(params)).changes,
  }
}

function createSqliteDriver(options: SqliteStoreOptions): SqlDriver {
  mkdirSync(dirname(options.path), { recursive: true })
  const writer = new Database(options.path)
  writer.pragma('journal_mode = WAL')
  writer.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
  writer.pragma('busy_timeout = 5000')
  writer.pragma('foreign_keys = ON')
  // Checkpoints happen on a worker thread (sqlite-checkpointer.ts), never inside a COMMIT here.
  writer.pragma('wal_autocheckpoint = 0')
  // Once a checkpoint lets the WAL restart, trim the file back so a burst does not keep it huge.
  writer.pragma(`journal_size_limit = ${64 * 1024 * 1024}`)
  const reader = new Database(options.path)
  reader.pragma('busy_timeout = 5000')
  const write = executor(writer)
  const read = executor(reader)
  const checkpointer = startCheckpointer(options.path, {
    onError: (message) => process.emitWarning(`SQLite checkpoint failed: ${message}`),
  })
  // better-sqlite3 is synchronous, but a transaction's work is async: a promise chain keeps
  // transactions (and lone writes) from interleaving on the single writer connection.
  let tail: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work)
    tail = result.catch(() => undefined)
    return result
  }
  return {
    query: (sql, params) => read.query(sql, params),
    run: (sql, params) =>
      exclusive(async () => {
        const changed = await write.run(sql, params)
        checkpointer.wrote()
        return changed
      }),
    transaction: (work) =>
      exclusive(async () => {
        writer.exec('BEGIN IMMEDIATE')
        try {
          const result = await work(write)
          writer.exec('COMMIT')
          checkpointer.wrote()
          return result
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK')
          throw error
        }
      }),
    close: async () => {
      await tail
      await checkpointer.stop()
      reader.close()
      writer.close()
    },
  }
}

export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const driver = createSqliteDriver(options)
  await migrate(driver, sqliteMigrations, null)
  // One process owns a SQLite database (one writer connection), so its locks need not leave it.
  return createSqlStore(driver, dialect, { maxBatch: options.maxBatch ?? 512, concurrency: 1, locks: createLocalLocks() })
}
