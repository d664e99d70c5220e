/** @module Durable dead letters of the bus consumers on the shared SQL store, and their replay. */
import type { OutboxEvent } from '../../../core/model.js'
import type { DeadLetter, DeadLetterStore } from '../../../ports/store.js'
import type { SqlDriver, SqlRow, SqlValue } from './driver.js'
import type { Migration } from './migration.js'

/**
 * Version 7: the dead letters, kept in arrival order (`position`) so they list newest first, also
 * per consumer group; and `outbox.only_group`, which addresses a replayed event to the group that
 * failed it. `body` holds the whole outbox event as JSON, as the consumer last saw it.
 */
export const deadLettersMigration = (ids: { key: string }): Migration => ({
  version: 7,
  name: 'dead-letters',
  sql: [
    `CREATE TABLE dead_letters (
      position ${ids.key},
      id TEXT NOT NULL UNIQUE,
      consumer_group TEXT NOT NULL,
      event_id TEXT NOT NULL,
      body TEXT NOT NULL,
      error TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      at BIGINT NOT NULL
    )`,
    `CREATE INDEX dead_letters_by_group ON dead_letters (consumer_group, position)`,
    `ALTER TABLE outbox ADD COLUMN only_group TEXT`,
  ],
})

const columns = 'id, consumer_group, body, error, attempts, at'

function toDeadLetter(row: SqlRow): DeadLetter {
  return {
    id: String(row['id']),
    group: String(row['consumer_group']),
    event: JSON.parse(String(row['body'])) as OutboxEvent,
    error: String(row['error']),
    attempts: Number(row['attempts']),
    at: Number(row['at']),
  }
}

export function createSqlDeadLetterStore(db: SqlDriver, options: { readonly onOutboxWrite: () => void }): DeadLetterStore {
  return {
    async addDeadLetter(letter) {
      // A sink that retries after a lost answer must not keep the letter twice.
      await db.run(
        `INSERT INTO dead_letters (id, consumer_group, event_id, body, error, attempts, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
        [letter.id, letter.group, letter.event.id, JSON.stringify(letter.event), letter.error, letter.attempts, letter.at],
      )
    },

    async listDeadLetters({ limit, before, group }) {
      const params: SqlValue[] = [limit]
      const where: string[] = []
      if (group !== undefined) {
        params.push(group)
        where.push(`consumer_group = $${params.length}`)
      }
      if (before !== undefined) {
        // A cursor letter replayed meanwhile matches nothing, which ends the listing: the client starts over.
        params.push(before)
        where.push(`position < (SELECT position FROM dead_letters WHERE id = $${params.length})`)
      }
      const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''
      const rows = await db.query(`SELECT ${columns} FROM dead_letters ${filter} ORDER BY position DESC LIMIT $1`, params)
      return rows.map(toDeadLetter)
    },

    async getDeadLetter(id) {
      const [row] = await db.query(`SELECT ${columns} FROM dead_letters WHERE id = $1`, [id])
      return row && toDeadLetter(row)
    },

    async replayDeadLetter(id, replayEventId) {
      const letter = await db.transaction(async (tx) => {
        // The delete decides between two replays racing: only one gets the row back.
        const [row] = await tx.query(`DELETE FROM dead_letters WHERE id = $1 RETURNING ${columns}`, [id])
        if (!row) return undefined
        const found = toDeadLetter(row)
        const { event, createdAt } = found.event
        // The event keeps its body and its time; only its id is new, so the bus does not drop it as a duplicate.
        await tx.run(
          'INSERT INTO outbox (event_id, type, body, created_at, only_group) VALUES ($1, $2, $3, $4, $5)',
          [replayEventId, event.type, JSON.stringify(event), createdAt, found.group],
        )
        return found
      })
      if (letter) options.onOutboxWrite()
      return letter
    },
  }
}
