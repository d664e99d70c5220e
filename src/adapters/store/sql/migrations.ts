/**
 * @module Versioned schema migrations, one list per engine. A migration is applied once, in order,
 * inside a transaction; PostgreSQL takes an advisory lock so several processes may start at once.
 */
import { postgresHotPathLayout, sqliteHotPathLayout } from './hot-path-layout.js'
import type { SqlDriver } from './driver.js'
import { filesMigration } from './files.js'
import { deadLettersMigration } from './dead-letters.js'
import { adminsMigration } from './users.js'
import { sessionsMigration } from './sessions.js'
import { derivedReceiptsMigration } from './receipts.js'
import { channelDeliveriesMigration, channelInboundQueueMigration, channelQueueHeadsMigration } from './channel-deliveries.js'
import type { Migration } from './migration.js'


const sharedTables = (ids: { outboxKey: string; bigint: string }): string[] => [
  `CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at ${ids.bigint} NOT NULL
  )`,
  `CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    expires_at ${ids.bigint} NOT NULL
  )`,
  `CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)`,
  `CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    title TEXT,
    metadata TEXT,
    pair_key TEXT UNIQUE,
    created_by TEXT NOT NULL,
    created_at ${ids.bigint} NOT NULL,
    last_seq ${ids.bigint} NOT NULL DEFAULT 0,
    last_activity_at ${ids.bigint} NOT NULL
  )`,
  `CREATE TABLE members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    member_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    role TEXT NOT NULL,
    joined_at ${ids.bigint} NOT NULL,
    joined_after_seq ${ids.bigint} NOT NULL,
    delivered_up_to_seq ${ids.bigint} NOT NULL DEFAULT 0,
    read_up_to_seq ${ids.bigint} NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, member_id)
  )`,
  `CREATE INDEX members_by_member ON members (member_id)`,
  `CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq ${ids.bigint} NOT NULL,
    sender_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    metadata TEXT,
    body_hash TEXT NOT NULL,
    created_at ${ids.bigint} NOT NULL,
    UNIQUE (conversation_id, seq)
  )`,
  `CREATE TABLE receipts (
    message_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq ${ids.bigint} NOT NULL,
    status INTEGER NOT NULL,
    delivered_at ${ids.bigint},
    read_at ${ids.bigint},
    PRIMARY KEY (message_id, member_id)
  )`,
  `CREATE INDEX receipts_by_member ON receipts (conversation_id, member_id, seq)`,
  `CREATE TABLE outbox (
    position ${ids.outboxKey},
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at ${ids.bigint} NOT NULL
  )`,
  `CREATE TABLE files (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    size_bytes ${ids.bigint} NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT,
    storage_key TEXT NOT NULL,
    state TEXT NOT NULL,
    conversation_id TEXT,
    created_at ${ids.bigint} NOT NULL,
    completed_at ${ids.bigint}
  )`,
]

/** Emails are unique whatever their case: a lower-cased key, kept beside the address as given. */
const emailKey: Migration = {
  version: 2,
  name: 'email-key',
  sql: [
    `ALTER TABLE users ADD COLUMN email_key TEXT`,
    `UPDATE users SET email_key = lower(email)`,
    `CREATE UNIQUE INDEX users_by_email_key ON users (email_key)`,
  ],
}

/**
 * Outbound webhooks. An event's body is stored once and shared by its deliveries; a delivery's
 * `position` orders the events of one (webhook, conversation), and a null `next_attempt_at` means it
 * waits for the earlier ones. Replays are extra rows, so only originals are unique per event.
 */
const webhookTables = (ids: { key: string; bigint: string }): Migration => ({
  version: 4,
  name: 'webhooks',
  sql: [
    `CREATE TABLE webhooks (
      id TEXT PRIMARY KEY,
      owner_id TEXT NOT NULL,
      url TEXT NOT NULL,
      events TEXT NOT NULL,
      secret TEXT NOT NULL,
      created_at ${ids.bigint} NOT NULL
    )`,
    `CREATE INDEX webhooks_by_owner ON webhooks (owner_id)`,
    `CREATE TABLE webhook_events (
      event_id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      conversation_id TEXT,
      body TEXT NOT NULL,
      created_at ${ids.bigint} NOT NULL
    )`,
    `CREATE TABLE webhook_deliveries (
      position ${ids.key},
      id TEXT NOT NULL UNIQUE,
      webhook_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      conversation_id TEXT,
      state TEXT NOT NULL,
      attempt_count INTEGER NOT NULL DEFAULT 0,
      next_attempt_at ${ids.bigint},
      lease_until ${ids.bigint} NOT NULL DEFAULT 0,
      replay_of TEXT,
      created_at ${ids.bigint} NOT NULL,
      finished_at ${ids.bigint}
    )`,
    `CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (webhook_id, event_id) WHERE replay_of IS NULL`,
    `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at)`,
    `CREATE INDEX webhook_deliveries_pair ON webhook_deliveries (webhook_id, conversation_id, state, position)`,
    `CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, position)`,
    `CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id)`,
    `CREATE TABLE webhook_attempts (
      delivery_id TEXT NOT NULL,
      number INTEGER NOT NULL,
      at ${ids.bigint} NOT NULL,
      status_code INTEGER,
      error TEXT,
      duration_ms INTEGER NOT NULL,
      PRIMARY KEY (delivery_id, number)
    )`,
  ],
})

/** Presence: when each user's last live connection closed. */
const lastSeen = (bigint: string): Migration => ({
  version: 5,
  name: 'last-seen',
  sql: [`ALTER TABLE users ADD COLUMN last_seen_at ${bigint}`],
})

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: sharedTables({ outboxKey: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' }),
  },
  emailKey,
  filesMigration,
  webhookTables({ key: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' }),
  lastSeen('INTEGER'),
  sqliteHotPathLayout,
  deadLettersMigration({ key: 'INTEGER PRIMARY KEY' }),
  adminsMigration,
  derivedReceiptsMigration({ bigint: 'INTEGER', clustered: ' WITHOUT ROWID' }),
  sessionsMigration,
  channelDeliveriesMigration({ key: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER', nowMs: `CAST(strftime('%s', 'now') AS INTEGER) * 1000` }),
  channelQueueHeadsMigration,
  channelInboundQueueMigration({ key: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' }),
]

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: sharedTables({ outboxKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' }),
  },
  emailKey,
  filesMigration,
  webhookTables({ key: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' }),
  lastSeen('BIGINT'),
  postgresHotPathLayout,
  deadLettersMigration({ key: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' }),
  adminsMigration,
  derivedReceiptsMigration({ bigint: 'BIGINT', clustered: '' }),
  sessionsMigration,
  channelDeliveriesMigration({ key: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT', nowMs: 'CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)' }),
  channelQueueHeadsMigration,
  channelInboundQueueMigration({ key: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' }),
]

/** Applies the migrations not applied yet. `lock` serialises concurrent starters where needed. */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly Migration[],
  lock: string | null,
): Promise<void> {
  await driver.transaction(async (tx) => {
    if (lock !== null) await tx.query(lock)
    await tx.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    )
    const applied = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
    )
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue
      for (const statement of migration.sql) await tx.run(statement)
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ])
    }
  })
}
