/** @module Accounts and refresh tokens on the shared SQL store. */
import { errors } from '../../../core/errors.js'
import type { NewUser, User } from '../../../core/model.js'
import type { RefreshTokenRecord, UserStore } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlExecutor } from './driver.js'
import { toUser } from './rows.js'

export function createSqlUserStore(db: SqlDriver, dialect: SqlDialect): UserStore {
  return {
    async createUser(user: NewUser): Promise<User> {
      const usernameKey = user.username.toLowerCase()
      const emailKey = user.email === null ? null : user.email.toLowerCase()
      const clash = async (executor: SqlExecutor) => {
        const rows = await executor.query<{ username_key: string }>(
          'SELECT username_key FROM users WHERE username_key = $1 OR email_key = $2',
          [usernameKey, emailKey],
        )
        if (rows.some((row) => row.username_key === usernameKey)) return errors.usernameTaken()
        return rows.length > 0 ? errors.emailTaken() : undefined
      }
      try {
        return await db.transaction(async (tx) => {
          const taken = await clash(tx)
          if (taken) throw taken
          await tx.run(
            `INSERT INTO users (id, username, username_key, email, email_key, display_name, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [user.id, user.username, usernameKey, user.email, emailKey, user.displayName, user.passwordHash, user.createdAt],
          )
          return user
        })
      } catch (error) {
        if (!dialect.isUniqueViolation(error)) throw error
        // Another process registered the same name or email between our check and our insert;
        // it has committed by now, so looking again says which (PostgreSQL aborted our transaction).
        throw (await clash(db)) ?? error
      }
    },

    async getUser(id) {
      const [row] = await db.query('SELECT * FROM users WHERE id = $1', [id])
      return row && toUser(row)
    },

    async findUserByUsername(username) {
      const [row] = await db.query('SELECT * FROM users WHERE username_key = $1', [username.toLowerCase()])
      return row && toUser(row)
    },

    async saveRefreshToken(record: RefreshTokenRecord) {
      await db.run('INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
        record.tokenHash,
        record.userId,
        record.expiresAt,
      ])
    },

    async rotateRefreshToken(oldHash, next, now) {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ user_id: string; expires_at: number }>(
          `DELETE FROM refresh_tokens WHERE token_hash = $1 RETURNING user_id, expires_at`,
          [oldHash],
        )
        if (!row || Number(row.expires_at) <= now) return undefined
        await tx.run('INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
          next.tokenHash,
          row.user_id,
          next.expiresAt,
        ])
        return row.user_id
      })
    },

    async setLastSeen(userId, at) {
      await db.run('UPDATE users SET last_seen_at = $2 WHERE id = $1', [userId, at])
    },
  }
}
