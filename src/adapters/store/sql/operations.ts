/** @module The operators' figures on the shared SQL store: outbox backlog, platform counts. */
import type { OperationsStore } from '../../../ports/store.js'
import type { SqlDriver } from './driver.js'

export function createSqlOperationsStore(db: SqlDriver): OperationsStore {
  return {
    async outboxBacklog() {
      const [row] = await db.query('SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM outbox', [])
      const oldest = row?.['oldest']
      return { depth: Number(row?.['depth'] ?? 0), oldestCreatedAt: oldest == null ? undefined : Number(oldest) }
    },
    async platformCounts() {
      const [row] = await db.query(
        `SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM conversations) AS conversations,
                (SELECT COUNT(*) FROM dead_letters) AS dead_letters`,
        [],
      )
      return { users: Number(row?.['users'] ?? 0), conversations: Number(row?.['conversations'] ?? 0), deadLetters: Number(row?.['dead_letters'] ?? 0) }
    },
  }
}
