/**
 * @module Rate-limit counters in the database, for API processes that must share them (scaled out).
 * One row per key: an upsert counts a hit in the key's current window, or starts a new window.
 */
import { windowOf, type RateLimitStore } from '../../../ports/rate-limits.js'
import type { SqlDialect, SqlDriver, SqlExecutor } from './driver.js'

/** Ended windows are deleted at most this often per process. */
const SWEEP_INTERVAL_MS = 60_000

const HIT = `INSERT INTO rate_limits (key, window_start, window_end, count) VALUES ($1, $2, $3, 1)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rate_limits.window_start = excluded.window_start AND rate_limits.window_end = excluded.window_end
                 THEN rate_limits.count + 1 ELSE 1 END,
    window_start = excluded.window_start,
    window_end = excluded.window_end
  RETURNING count, window_end`

export function createSqlRateLimitStore(db: SqlDriver, dialect: SqlDialect): RateLimitStore {
  let lastSweep = 0
  // PostgreSQL runs one statement atomically on any connection: no BEGIN/COMMIT round trips. On
  // SQLite only the writer connection may write, which a transaction selects.
  const write = <T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> =>
    dialect.name === 'postgres' ? work(db) : db.transaction(work)

  const sweep = async (now: number) => {
    if (now - lastSweep < SWEEP_INTERVAL_MS) return
    lastSweep = now
    await write((executor) => executor.run('DELETE FROM rate_limits WHERE window_end <= $1', [now]))
  }

  return {
    async hitRateLimit(key, windowMs, now) {
      const { start, end } = windowOf(windowMs, now)
      const [row] = await write((executor) => executor.query(HIT, [key, start, end]))
      await sweep(now)
      return { count: Number(row?.['count'] ?? 1), resetAt: Number(row?.['window_end'] ?? end) }
    },

    async clearRateLimit(key) {
      await write((executor) => executor.run('DELETE FROM rate_limits WHERE key = $1', [key]))
    },
  }
}
