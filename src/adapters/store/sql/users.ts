/** @module Accounts on the shared SQL store (refresh tokens and sessions: sessions.ts). */
import { errors } from '../../../core/errors.js'
import type { NewUser, User } from '../../../core/model.js'
import type { UserStore } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlExecutor } from './driver.js'
import type { Migration } from './migration.js'
import { toUser } from './rows.js'

/**
 * Version 8: the admin role, and the one-row `first_admin` table that makes the first account
 * registered an admin without a race (see createUser). A database that has accounts already closes
 * the slot empty: nobody is promoted behind the operator's back, who grants the role from the CLI.
 */
export const adminsMigration: Migration = {
  version: 8,
  name: 'admins',
  sql: [
    `ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE`,
    `CREATE TABLE first_admin (
      slot INTEGER PRIMARY KEY CHECK (slot = 1),
      user_id TEXT
    )`,
    `INSERT INTO first_admin (slot, user_id) SELECT 1, NULL WHERE EXISTS (SELECT 1 FROM users)`,
  ],
}

/** The account methods; sessions.ts and account-deletion.ts hold the rest of UserStore. */
export type SqlAccountMethods = Pick<UserStore, 'createUser' | 'getUser' | 'findUserByUsername' | 'setLastSeen' | 'setAdmin'>

export function createSqlUserStore(db: SqlDriver, dialect: SqlDialect): SqlAccountMethods {
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
          // The first account becomes admin: whoever claims the single slot in its registration's
          // transaction. Two first registrations racing both try; the key lets one commit the claim,
          // and the other (PostgreSQL: waiting for it; SQLite: one writer) finds it taken. A claim
          // whose registration fails rolls back with it, leaving the slot to the next one.
          const isAdmin =
            (await tx.run('INSERT INTO first_admin (slot, user_id) VALUES (1, $1) ON CONFLICT (slot) DO NOTHING', [user.id])) === 1
          await tx.run(
            `INSERT INTO users (id, username, username_key, email, email_key, display_name, password_hash, created_at, is_admin)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [user.id, user.username, usernameKey, user.email, emailKey, user.displayName, user.passwordHash, user.createdAt, isAdmin],
          )
          return { ...user, isAdmin }
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

    async setLastSeen(userId, at) {
      await db.run('UPDATE users SET last_seen_at = $2 WHERE id = $1', [userId, at])
    },

    async setAdmin(ref, isAdmin) {
      const [column, key] = 'id' in ref ? ['id', ref.id] : ['username_key', ref.username.toLowerCase()]
      // In a transaction: on SQLite only the writer connection may write.
      const [row] = await db.transaction((tx) =>
        tx.query(`UPDATE users SET is_admin = $2 WHERE ${column} = $1 RETURNING *`, [key, isAdmin]),
      )
      return row && toUser(row)
    },
  }
}
