/**
 * @module Tells relays in other processes that the outbox has new events, so they do not wait for
 * their next poll: after a write commits, the writer sends `NOTIFY` (once per event-loop turn,
 * however many writes the turn committed), and a process with a relay `LISTEN`s on a connection of
 * its own. The notice is only a wake-up call: a lost one costs a poll interval, never an event.
 */
import pg from 'pg'

const CHANNEL = 'chat4all_outbox'
const RELISTEN_MS = 1_000

export interface OutboxSignal {
  /** A write committed outbox events (called after the commit). */
  notify(): void
  /** Calls `wake` whenever any process wrote outbox events to this schema. */
  listen(wake: () => void): void
  close(): Promise<void>
}

export function createPostgresOutboxSignal(pool: pg.Pool, url: string, schema: string): OutboxSignal {
  let pending = false
  let closed = false
  let listener: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  const wakers: (() => void)[] = []

  const connect = async () => {
    if (closed) return
    const client = new pg.Client({ connectionString: url })
    listener = client
    client.on('notification', (message) => {
      if (message.payload === schema) for (const wake of wakers) wake()
    })
    // A lost connection listens again after a pause; the relay's polling covers the gap.
    client.on('error', () => {
      void client.end().catch(() => undefined)
      if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), RELISTEN_MS)
    })
    await client.connect()
    await client.query(`LISTEN ${CHANNEL}`)
  }

  return {
    notify() {
      if (pending || closed) return
      pending = true
      setImmediate(() => {
        pending = false
        // Best effort by design: the relay polls anyway.
        pool.query('SELECT pg_notify($1, $2)', [CHANNEL, schema]).catch(() => undefined)
      })
    },
    listen(wake) {
      wakers.push(wake)
      if (wakers.length === 1) {
        connect().catch(() => {
          if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), RELISTEN_MS)
        })
      }
    },
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      await listener?.end().catch(() => undefined)
    },
  }
}
