/**
 * @module Sessions on the shared SQL store: refresh-token families with reuse detection, the
 * per-user token epoch that revokes access tokens, and (in the same migration) the table of
 * shared rate-limit counters, which guard these same entry points.
 */
import type { RefreshRotation, RefreshTokenRecord, UserStore } from '../../../ports/store.js'
import type { SqlDriver, SqlExecutor } from './driver.js'
import type { Migration } from './migration.js'

/**
 * Version 10. Refresh tokens gain a family (one per login; existing tokens each start their own)
 * and `used_at`: a rotated token is kept, so presenting it again is recognised as a replay. Users
 * gain `token_epoch`: access tokens carry the epoch they were issued in, and "log out everywhere"
 * moves it on. `rate_limits` holds fixed-window counters shared by every API process.
 * BIGINT has integer affinity in SQLite, so one text serves both engines.
 */
export const sessionsMigration: Migration = {
  version: 10,
  name: 'sessions-and-rate-limits',
  sql: [
    `ALTER TABLE refresh_tokens ADD COLUMN family_id TEXT`,
    `UPDATE refresh_tokens SET family_id = token_hash`,
    `ALTER TABLE refresh_tokens ADD COLUMN used_at BIGINT`,
    `CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)`,
    `ALTER TABLE users ADD COLUMN token_epoch BIGINT NOT NULL DEFAULT 0`,
    `CREATE TABLE rate_limits (
      key TEXT PRIMARY KEY,
      window_start BIGINT NOT NULL,
      window_end BIGINT NOT NULL,
      count BIGINT NOT NULL
    )`,
    `CREATE INDEX rate_limits_ending ON rate_limits (window_end)`,
  ],
}

export type SqlSessionMethods = Pick<
  UserStore,
  'saveRefreshToken' | 'rotateRefreshToken' | 'revokeRefreshFamily' | 'findRefreshFamily' | 'revokeAllSessions' | 'getTokenEpoch'
>

async function insertToken(executor: SqlExecutor, record: RefreshTokenRecord): Promise<void> {
  await executor.run('INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at) VALUES ($1, $2, $3, $4)', [
    record.tokenHash,
    record.userId,
    record.familyId,
    record.expiresAt,
  ])
}

export function createSqlSessionStore(db: SqlDriver): SqlSessionMethods {
  return {
    async saveRefreshToken(record) {
      await db.transaction((tx) => insertToken(tx, record))
    },

    rotateRefreshToken(oldHash, next, now) {
      return db.transaction(async (tx): Promise<RefreshRotation> => {
        // Only one rotation can move used_at off null: PostgreSQL makes a concurrent one wait for
        // the row and then finds it used; SQLite has one writer.
        const [live] = await tx.query<{ user_id: string; family_id: string }>(
          `UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
           RETURNING user_id, family_id`,
          [oldHash, now],
        )
        if (live) {
          await insertToken(tx, { ...next, userId: live.user_id, familyId: live.family_id })
          // Used tokens are kept for replay detection only while they could still have been valid.
          await tx.run('DELETE FROM refresh_tokens WHERE user_id = $1 AND expires_at <= $2', [live.user_id, now])
          return { kind: 'rotated', userId: live.user_id, familyId: live.family_id }
        }
        const [seen] = await tx.query<{ user_id: string; family_id: string; used_at: unknown }>(
          'SELECT user_id, family_id, used_at FROM refresh_tokens WHERE token_hash = $1',
          [oldHash],
        )
        if (!seen || seen.used_at == null) return { kind: 'invalid' }
        await tx.run('DELETE FROM refresh_tokens WHERE family_id = $1', [seen.family_id])
        return { kind: 'reused', userId: seen.user_id, familyId: seen.family_id }
      })
    },

    async revokeRefreshFamily(userId, familyId) {
      const removed = await db.transaction((tx) =>
        tx.run('DELETE FROM refresh_tokens WHERE family_id = $1 AND user_id = $2', [familyId, userId]),
      )
      return removed > 0
    },

    async findRefreshFamily(userId, tokenHash) {
      const [row] = await db.query('SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2', [
        tokenHash,
        userId,
      ])
      return row ? String(row['family_id']) : undefined
    },

    revokeAllSessions(userId) {
      return db.transaction(async (tx) => {
        const [row] = await tx.query('UPDATE users SET token_epoch = token_epoch + 1 WHERE id = $1 RETURNING token_epoch', [userId])
        if (!row) return undefined
        await tx.run('DELETE FROM refresh_tokens WHERE user_id = $1', [userId])
        return Number(row['token_epoch'])
      })
    },

    async getTokenEpoch(userId) {
      const [row] = await db.query('SELECT token_epoch FROM users WHERE id = $1', [userId])
      return row ? Number(row['token_epoch']) : undefined
    },
  }
}
