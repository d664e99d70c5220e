/** @module The PostgreSQL and NATS servers the run used, as they report themselves. */
import pg from 'pg'
import { connect } from '@nats-io/transport-node'

export async function serverVersions(postgresUrl: string, natsUrl: string): Promise<{ postgres: string; nats: string }> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  let postgres = 'unknown'
  try {
    postgres = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown'
  } finally {
    await client.end()
  }
  const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, '') })
  const nats = nc.info?.version ?? 'unknown'
  await nc.close()
  return { postgres, nats }
}
