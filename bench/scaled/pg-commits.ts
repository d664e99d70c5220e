/**
 * @module PostgreSQL commits over a window (pg_stat_database, the whole database): commits per
 * message shows how well writes were batched. The counter is database-wide, so other users of the
 * same database count too; on a quiet machine that is noise.
 */
import type { Deployment } from './cluster.js'

export async function commitCounter(d: Deployment): Promise<{ stop(): Promise<number> }> {
  const read = () => d.count('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()')
  // Backends publish their counters at transaction end, at most about once a second: reading just
  // after the window can miss its last second, which the window lengths here make small.
  const before = await read()
  return { stop: async () => (await read()) - before }
}
