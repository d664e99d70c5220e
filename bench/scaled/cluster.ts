/**
 * @module A scaled-out deployment for one scenario: `chat4all serve --role …` processes on the local
 * PostgreSQL (a fresh schema) and NATS (a fresh namespace, so a stream of its own), sharing a JWT
 * secret and a data directory. Closing it stops every process and drops the schema and the stream,
 * so scenarios never see each other's rows or events.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { ProcessSampler } from '../proc-stats.js'
import { spawnUntilBanner } from '../spawn-banner.js'

export type Role = 'api' | 'worker' | 'relay' | 'all'

export interface RoleProcess {
  readonly role: Role
  /** `api#1`, `worker#2`, …: how the report names the process. */
  readonly label: string
  readonly url: string
  readonly pid: number
  readonly sampler: ProcessSampler
  /** performance.now() when the banner was printed (the process is serving). */
  readonly readyAt: number
  /** Spawn → banner, ms. */
  readonly startMs: number
  kill(signal: NodeJS.Signals): void
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<number | string | null>
  /** Everything the process wrote to stderr (capped): warnings and errors. */
  stderr(): string
}

export interface StartOptions {
  readonly role: Role
  readonly env: Readonly<Record<string, string>>
  readonly label: string
}

/** Spawns one `chat4all serve --role <role>` and waits for its banner. */
export async function spawnRole(options: StartOptions): Promise<RoleProcess> {
  const spawned = await spawnUntilBanner({ serveArgs: ['--role', options.role], env: options.env, label: options.label })
  return {
    role: options.role,
    label: options.label,
    url: spawned.url,
    pid: spawned.pid,
    sampler: new ProcessSampler(spawned.pid).start(),
    readyAt: spawned.readyAt,
    startMs: spawned.startMs,
    kill: (signal) => void spawned.child.kill(signal),
    exited: spawned.exited,
    stderr: () => spawned.stderr(),
  }
}

export interface DeploymentSettings {
  readonly postgresUrl: string
  readonly natsUrl: string
  /** Extra CHAT4ALL_* for every process. */
  readonly env?: Readonly<Record<string, string>>
}

export interface ProcessLog {
  readonly label: string
  readonly pid: number
  readonly exit: number | string | null
  readonly stderr: string
}

export interface Deployment {
  readonly schema: string
  readonly stream: string
  readonly processes: RoleProcess[]
  /** Starts `count` processes of `role` at once; resolves when all of them serve. */
  start(role: Role, count?: number): Promise<RoleProcess[]>
  /** A number from the deployment's schema (the first column of the first row). */
  count(sql: string, params?: readonly unknown[]): Promise<number>
  query<T extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<T[]>
  /** SIGTERMs what still runs (SIGKILL after 20 s), drops the schema and the stream; returns the logs. */
  close(): Promise<ProcessLog[]>
}

const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`

export async function deployment(settings: DeploymentSettings): Promise<Deployment> {
  const schema = unique('bench_scaled')
  const namespace = unique('bscaled')
  const stream = `${namespace.toUpperCase()}_EVENTS`
  const dataDir = mkdtempSync(join(tmpdir(), 'chat4all-scaled-bench-'))
  const env: Record<string, string> = {
    CHAT4ALL_DB: `${settings.postgresUrl}?schema=${schema}`,
    CHAT4ALL_BUS: `${settings.natsUrl}?namespace=${namespace}`,
    // Every process signs and checks tokens with the same secret, as a deployment must.
    CHAT4ALL_JWT_SECRET: `bench-scaled-secret-${namespace}`.padEnd(48, 'x'),
    CHAT4ALL_DATA_DIR: dataDir,
    ...settings.env,
  }
  // search_path as a connection option: the schema appears when the first process migrates it.
  const db = new pg.Client({ connectionString: settings.postgresUrl, options: `-c search_path=${schema}` })
  await db.connect()
  const processes: RoleProcess[] = []
  const counters = new Map<Role, number>()
  const label = (role: Role) => {
    const n = (counters.get(role) ?? 0) + 1
    counters.set(role, n)
    return `${role}#${n}`
  }

  return {
    schema,
    stream,
    processes,
    async start(role, count = 1) {
      const started = await Promise.all(Array.from({ length: count }, () => spawnRole({ role, env, label: label(role) })))
      processes.push(...started)
      return started
    },
    async count(sql, params = []) {
      const { rows } = await db.query<Record<string, unknown>>(sql, [...params])
      const value = rows[0] ? Object.values(rows[0])[0] : undefined
      return Number(value ?? Number.NaN)
    },
    async query<T extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []) {
      return (await db.query<T>(sql, [...params])).rows
    },
    async close() {
      // API processes first, as `chat4all cluster` does: nothing is accepted that no relay would move.
      const stop = (group: readonly RoleProcess[]) =>
        Promise.all(
          group.map(async (p) => {
            p.kill('SIGTERM')
            const force = setTimeout(() => p.kill('SIGKILL'), 20_000)
            const exit = await p.exited
            clearTimeout(force)
            p.sampler.stop()
            return { label: p.label, pid: p.pid, exit, stderr: p.stderr() }
          }),
        )
      const logs = [...(await stop(processes.filter((p) => p.role === 'api'))), ...(await stop(processes.filter((p) => p.role !== 'api')))]
      await db.end().catch(() => undefined)
      await dropSchema(settings.postgresUrl, schema)
      await deleteStream(settings.natsUrl, stream)
      rmSync(dataDir, { recursive: true, force: true })
      return logs
    },
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}

async function deleteStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url.replace(/^nats:\/\//, '') })
  try {
    const jsm = await jetstreamManager(nc)
    await jsm.streams.delete(stream).catch(() => undefined)
  } finally {
    await nc.close()
  }
}
