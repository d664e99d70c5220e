/**
 * @module The small SQL surface the shared store code needs, so one implementation of the store
 * runs on SQLite and PostgreSQL. Parameters are written `$1, $2 …` in both dialects.
 */

export type SqlValue = string | number | boolean | null | readonly string[]
export type SqlRow = Record<string, unknown>

export interface SqlExecutor {
  query<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>
}

export interface SqlDriver extends SqlExecutor {
  /** Runs `work` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** What differs between the engines, kept to a few fragments. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres'
  /** Appended to a SELECT that must lock the rows it reads until commit. */
  readonly forUpdate: string
  /** `column IN <list>` for a parameter made by `listParam`. */
  inList(column: string, param: string): string
  listParam(values: readonly string[]): SqlValue
  /** True when a transaction may stay open while the outbox is published (row locks, SKIP LOCKED). */
  readonly locksOutboxWhilePublishing: boolean
  /** True when unique violations abort the transaction (PostgreSQL), so inserts must not rely on catching them. */
  readonly uniqueViolationAbortsTransaction: boolean
  isUniqueViolation(error: unknown): boolean
  /**
   * A statement that holds a lock on the text key `$1` until the transaction ends, where concurrent
   * write transactions need one (PostgreSQL); absent where they already run one at a time (SQLite).
   */
  readonly keyLock?: string
}
