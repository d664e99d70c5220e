/** @module Assembles the store port from the shared SQL parts for one engine. */
import type { LockStore, Store } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver } from './driver.js'
import { createSqlChannelStore } from './channel-deliveries.js'
import { createSqlConversationStore } from './conversations.js'
import { createSqlDeadLetterStore } from './dead-letters.js'
import { createSqlFileStore } from './files.js'
import { createSqlIdentityStore } from './identities.js'
import { createSqlMessageStore } from './messages.js'
import { createSqlOutboxStore } from './outbox.js'
import { createSqlOperationsStore } from './operations.js'
import { createSqlUserStore } from './users.js'
import { createSqlSessionStore } from './sessions.js'
import { createSqlAccountDeletion } from './account-deletion.js'
import { createSqlRateLimitStore } from './rate-limits.js'
import { createSqlWebhookStore } from './webhooks.js'

export interface SqlStoreOptions {
  readonly maxBatch: number
  readonly concurrency: number
  /** Named locks: the engine decides how they reach across processes. */
  readonly locks: LockStore
  /** How other processes hear of outbox writes (PostgreSQL); without it, only this process does. */
  readonly outboxSignal?: {
    notify(): void
    listen(wake: () => void): void
    close(): Promise<void>
  }
}

export function createSqlStore(db: SqlDriver, dialect: SqlDialect, options: SqlStoreOptions): Store {
  const listeners: (() => void)[] = []
  // Listeners run after the write committed (or on another process's notice): one that throws must
  // not make a committed write look failed (the append batcher would then retry it and report
  // duplicates), nor reach the database driver's event handler, so its error is only reported.
  const tell = (listener: () => void) => {
    try {
      listener()
    } catch (error) {
      process.emitWarning(`an outbox write listener threw: ${String(error)}`)
    }
  }
  const onOutboxWrite = () => {
    options.outboxSignal?.notify()
    for (const listener of listeners) tell(listener)
  }
  return {
    ...createSqlUserStore(db, dialect),
    ...createSqlSessionStore(db),
    ...createSqlAccountDeletion(db, { onOutboxWrite }),
    ...createSqlRateLimitStore(db, dialect),
    ...createSqlConversationStore(db, dialect, { onOutboxWrite }),
    ...createSqlMessageStore(db, dialect, { ...options, onOutboxWrite }),
    ...createSqlOutboxStore(db, dialect),
    ...createSqlOperationsStore(db),
    ...createSqlFileStore(db, dialect),
    ...createSqlWebhookStore(db, dialect),
    ...createSqlDeadLetterStore(db, { onOutboxWrite }),
    ...createSqlChannelStore(db, dialect, { onOutboxWrite }),
    ...createSqlIdentityStore(db, dialect),
    withLock: (key, work, mode) => options.locks.withLock(key, work, mode),
    tryWithLock: (key, work, mode) => options.locks.tryWithLock(key, work, mode),

    async ping() {
      await db.query('SELECT 1 AS ok')
    },

    onOutboxWrite(listener) {
      listeners.push(listener)
      // Writes of other processes too: the local listeners already hear this process's own.
      options.outboxSignal?.listen(() => tell(listener))
    },

    close: async () => {
      await options.outboxSignal?.close()
      await db.close()
    },
  }
}
