/**
 * @module Reachability probes for `chat4all config check`: each dependency the configuration names
 * is contacted the lightest way it can be — no migration, no stream or bucket created — within a
 * few seconds, and the answer says what was found or why it failed.
 */
import { access, constants, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { FileConfig } from '../config/load.js'
import { parseNatsUrl } from './index.js'
import { serverList } from './bus/nats-setup.js'

export interface ProbeResult {
  readonly ok: boolean
  /** What was found (a server version, "writable"), or why it failed. */
  readonly detail: string
}

const timeoutMs = 3_000
const failed = (error: unknown): ProbeResult => ({ ok: false, detail: error instanceof Error ? error.message || error.name : String(error) })

/** The nearest directory that exists at or above `path`, and whether this process may write there. */
async function writableDir(path: string, what: string): Promise<ProbeResult> {
  let dir = resolve(path)
  for (;;) {
    const found = await stat(dir).catch(() => undefined)
    if (found) {
      if (!found.isDirectory()) return { ok: false, detail: `${dir} is not a directory` }
      try {
        await access(dir, constants.W_OK)
      } catch {
        return { ok: false, detail: `${dir} is not writable` }
      }
      return { ok: true, detail: dir === resolve(path) ? `${what} writable` : `${what} will be created under ${dir}` }
    }
    if (dirname(dir) === dir) return { ok: false, detail: `no directory of ${path} exists` }
    dir = dirname(dir)
  }
}

export async function probeStore(url: string): Promise<ProbeResult> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length)
    const exists = await stat(file).then(() => true, () => false)
    return exists ? writableDir(dirname(file), 'database file exists; directory') : writableDir(dirname(file), 'database directory')
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { default: pg } = await import('pg')
    const parsed = new URL(url)
    parsed.searchParams.delete('schema')
    const client = new pg.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: timeoutMs })
    try {
      await client.connect()
      const [row] = (await client.query<{ version: string }>("SELECT current_setting('server_version') AS version")).rows
      return { ok: true, detail: `PostgreSQL ${row?.version ?? '?'}` }
    } catch (error) {
      return failed(error)
    } finally {
      await client.end().catch(() => undefined)
    }
  }
  return { ok: false, detail: `unknown scheme in '${url}'; known: sqlite:, postgres://` }
}

export async function probeBus(url: string): Promise<ProbeResult> {
  if (url === 'memory:' || url === 'memory') return { ok: true, detail: 'in-process (all roles in one process)' }
  if (!url.startsWith('nats://')) return { ok: false, detail: `unknown scheme in '${url}'; known: memory:, nats://` }
  let servers: string
  try {
    servers = parseNatsUrl(url).servers
  } catch (error) {
    return failed(error)
  }
  const { connect } = await import('@nats-io/transport-node')
  const { jetstreamManager } = await import('@nats-io/jetstream')
  try {
    const nc = await connect({ servers: serverList(servers), timeout: timeoutMs, reconnect: false, name: 'chat4all-config-check' })
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs })
      await jsm.getAccountInfo()
      return { ok: true, detail: `NATS ${nc.info?.version ?? '?'} with JetStream` }
    } catch (error) {
      return { ok: false, detail: `NATS answers but JetStream does not: ${failed(error).detail}` }
    } finally {
      await nc.close()
    }
  } catch (error) {
    return failed(error)
  }
}

export async function probeBlobs(files: FileConfig): Promise<ProbeResult> {
  const url = files.blobs
  if (url.startsWith('file:')) return writableDir(url.slice('file:'.length).replace(/^\/\/(?=\/)/, ''), 'blob directory')
  if (!url.startsWith('s3://')) return { ok: false, detail: `unknown scheme in '${url}'; known: file:, s3://` }
  const parsed = new URL(url)
  const endpoint = parsed.searchParams.get('endpoint') ?? undefined
  const { S3Client, HeadBucketCommand } = await import('@aws-sdk/client-s3')
  const client = new S3Client({
    region: parsed.searchParams.get('region') ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: ['true', '1', 'yes'].includes(parsed.searchParams.get('force_path_style') ?? ''),
    ...(files.s3AccessKeyId && files.s3SecretAccessKey
      ? { credentials: { accessKeyId: files.s3AccessKeyId, secretAccessKey: files.s3SecretAccessKey } }
      : {}),
    maxAttempts: 1,
  })
  try {
    await client.send(new HeadBucketCommand({ Bucket: parsed.hostname }), { abortSignal: AbortSignal.timeout(timeoutMs) })
    return { ok: true, detail: `bucket ${parsed.hostname} reachable` }
  } catch (error) {
    return failed(error)
  } finally {
    client.destroy()
  }
}
