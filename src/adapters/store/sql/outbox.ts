/** @module The transactional outbox on the shared SQL store. */
import type { DomainEvent, OutboxEvent } from '../../../core/model.js'
import type { OutboxStore, PendingOutboxEvent } from '../../../ports/store.js'
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow } from './driver.js'

export async function insertOutboxEvent(
  tx: SqlExecutor,
  eventId: string,
  event: DomainEvent,
  createdAt: number,
  traceparent?: string,
): Promise<void> {
  await tx.run('INSERT INTO outbox (event_id, type, body, created_at) VALUES ($1, $2, $3, $4)', [
    eventId,
    event.type,
    traceparent ? JSON.stringify({ ...event, [traceKey]: traceparent }) : JSON.stringify(event),
    createdAt,
  ])
}

/**
 * The trace context rides inside the stored body under this key rather than in a column of its own:
 * tracing needs no migration, and the key is taken off again when the row is read.
 */
const traceKey = '~traceparent'

function readBody(body: string): { readonly event: DomainEvent; readonly traceparent?: string } {
  const parsed = JSON.parse(body) as DomainEvent & { readonly [traceKey]?: string }
  if (!(traceKey in parsed)) return { event: parsed }
  const { [traceKey]: traceparent, ...event } = parsed
  return { event: event as DomainEvent, ...(typeof traceparent === 'string' ? { traceparent } : {}) }
}

type Pending = PendingOutboxEvent

function toPending(row: SqlRow): Pending {
  const onlyGroup = row['only_group']
  const { event, traceparent } = readBody(String(row['body']))
  return {
    position: Number(row['position']),
    event: {
      id: String(row['event_id']),
      event,
      createdAt: Number(row['created_at']),
      ...(traceparent ? { traceparent } : {}),
      // Only a replayed dead letter has one; an absent property keeps every other event as it was.
      ...(onlyGroup == null ? {} : { onlyGroup: String(onlyGroup) }),
    },
  }
}

export function createSqlOutboxStore(db: SqlDriver, dialect: SqlDialect): OutboxStore {
  const select = `SELECT position, event_id, body, created_at, only_group FROM outbox ORDER BY position LIMIT $1`
  const remove = `DELETE FROM outbox WHERE ${dialect.inList('position', '$1')}`
  const positions = (pending: readonly Pending[]) => dialect.listParam(pending.map((p) => String(p.position)))
  // The position is the outbox's own bookkeeping: publishers get plain events.
  const events = (pending: readonly Pending[]) => pending.map((p) => p.event)

  return {
    async drainOutbox(limit, publish) {
      if (dialect.locksOutboxWhilePublishing) {
        // Several processes may run a relay: one drains at a time, so events reach the bus in outbox
        // order (per conversation, the seq order). The lock is per schema and ends with the
        // transaction, also when its process dies, so a standby relay takes over at once.
        return db.transaction(async (tx) => {
          const [lock] = await tx.query(`SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox-relay')) AS held`, [])
          if (lock?.['held'] !== true) return 0
          const pending = (await tx.query(select, [limit])).map(toPending)
          if (pending.length === 0) return 0
          await publish(events(pending))
          await tx.run(remove, [positions(pending)])
          return pending.length
        })
      }
      // A single writer: read, publish, then delete what was published.
      const pending = (await db.query(select, [limit])).map(toPending)
      if (pending.length === 0) return 0
      await publish(events(pending))
      await db.run(remove, [positions(pending)])
      return pending.length
    },

    async listOutbox(afterPosition, limit) {
      const rows = await db.query(
        `SELECT position, event_id, body, created_at, only_group FROM outbox WHERE position > $1 ORDER BY position LIMIT $2`,
        [afterPosition, limit],
      )
      return rows.map(toPending)
    },

    async deleteOutbox(handled) {
      if (handled.length === 0) return
      await db.run(remove, [dialect.listParam(handled.map(String))])
    },
  }
}
