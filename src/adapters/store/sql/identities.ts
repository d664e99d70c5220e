/** @module Users' linked external identities on the shared SQL store (table made by migration 11, channel-deliveries.ts). */
import type { Identity, IdentityStore } from '../../../ports/identity-store.js'
import type { SqlDialect, SqlDriver, SqlRow } from './driver.js'

/** The table, created with the channel tables (version 11): one owner per address. */
export const identitiesTable = (bigint: string) => `CREATE TABLE user_identities (
  address TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  platform TEXT NOT NULL,
  created_at ${bigint} NOT NULL
)`

export const identitiesIndex = 'CREATE INDEX user_identities_by_user ON user_identities (user_id, created_at)'

const toIdentity = (row: SqlRow): Identity => ({
  userId: String(row['user_id']),
  address: String(row['address']),
  platform: String(row['platform']),
  createdAt: Number(row['created_at']),
})

export function createSqlIdentityStore(db: SqlDriver, dialect: SqlDialect): IdentityStore {
  return {
    async listIdentitiesOf(userIds) {
      if (userIds.length === 0) return []
      const rows = await db.query(
        `SELECT address, user_id, platform, created_at FROM user_identities WHERE ${dialect.inList('user_id', '$1')} ORDER BY created_at, address`,
        [dialect.listParam(userIds)],
      )
      return rows.map(toIdentity)
    },
    async linkIdentity(identity) {
      const inserted = await db.run(
        'INSERT INTO user_identities (address, user_id, platform, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (address) DO NOTHING',
        [identity.address, identity.userId, identity.platform, identity.createdAt],
      )
      if (inserted > 0) return 'linked'
      const [owner] = await db.query<{ user_id: string }>('SELECT user_id FROM user_identities WHERE address = $1', [identity.address])
      // Unlinked between the two statements: the caller may try again; say taken rather than guess.
      return owner?.user_id === identity.userId ? 'already_linked' : 'taken'
    },
    async listIdentities(userId) {
      const rows = await db.query('SELECT address, user_id, platform, created_at FROM user_identities WHERE user_id = $1 ORDER BY created_at, address', [userId])
      return rows.map(toIdentity)
    },
    async findIdentity(address) {
      const [row] = await db.query('SELECT address, user_id, platform, created_at FROM user_identities WHERE address = $1', [address])
      return row && toIdentity(row)
    },
    async unlinkIdentity(userId, address) {
      return (await db.run('DELETE FROM user_identities WHERE user_id = $1 AND address = $2', [userId, address])) > 0
    },
  }
}
