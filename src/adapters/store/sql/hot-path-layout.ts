/**
 * @module Migration 6: a table layout for the accept-and-route hot path. Every random key in a
 * B-tree costs a page write per insert at commit; profiling showed commits dominating accepts.
 * - receipts are keyed by (conversation_id, seq, member_id), which grows at the end of each
 *   conversation, instead of by a random message id (SQLite: a clustered WITHOUT ROWID table);
 * - the outbox loses its unique index on event_id (the id is a dedup key for the bus, not a
 *   constraint) and, on SQLite, AUTOINCREMENT's extra bookkeeping write.
 */
import type { Migration } from './migration.js'

const receipts = (options: { bigint: string; clustered: string }) => [
  `CREATE TABLE receipts_v6 (
    conversation_id TEXT NOT NULL,
    seq ${options.bigint} NOT NULL,
    member_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    delivered_at ${options.bigint},
    read_at ${options.bigint},
    PRIMARY KEY (conversation_id, seq, member_id)
  )${options.clustered}`,
  `INSERT INTO receipts_v6 (conversation_id, seq, member_id, status, delivered_at, read_at)
   SELECT conversation_id, seq, member_id, status, delivered_at, read_at FROM receipts`,
  `DROP TABLE receipts`,
  `ALTER TABLE receipts_v6 RENAME TO receipts`,
  `CREATE INDEX receipts_by_member ON receipts (conversation_id, member_id, seq)`,
]

export const sqliteHotPathLayout: Migration = {
  version: 6,
  name: 'hot-path-layout',
  sql: [
    ...receipts({ bigint: 'INTEGER', clustered: ' WITHOUT ROWID' }),
    `CREATE TABLE outbox_v6 (
      position INTEGER PRIMARY KEY,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `INSERT INTO outbox_v6 (position, event_id, type, body, created_at)
     SELECT position, event_id, type, body, created_at FROM outbox`,
    `DROP TABLE outbox`,
    `ALTER TABLE outbox_v6 RENAME TO outbox`,
  ],
}

export const postgresHotPathLayout: Migration = {
  version: 6,
  name: 'hot-path-layout',
  sql: [...receipts({ bigint: 'BIGINT', clustered: '' }), `ALTER TABLE outbox DROP CONSTRAINT outbox_event_id_key`],
}
