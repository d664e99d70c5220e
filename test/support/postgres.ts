/**
 * Where the PostgreSQL suites find their server. Absent on a laptop, they skip loudly; under
 * CI=true they must run, so a missing server fails the run instead.
 */
import pg from 'pg'

export const postgresUrl = process.env['CHAT4ALL_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch (error) {
    if (process.env['CI'] === 'true') {
      throw new Error(`PostgreSQL is required under CI=true but ${postgresUrl} is unreachable: ${String(error)}`)
    }
    console.warn(`\n⚠️  SKIPPING PostgreSQL suites: ${postgresUrl} is unreachable (${String(error)}).\n`)
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A fresh schema name per test run, so runs never see each other's data. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}
