/**
 * @module Configuration: read once from the environment into a frozen, typed object. The only
 * reader of process.env. Unknown CHAT4ALL_* variables are reported, so a typo does not go unnoticed.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ConfigError } from './config-error.js'
import { securityConfig, securityConfigDocs, type SecuritySettings } from './security.js'
import { observabilityConfig, observabilityConfigDocs, type ObservabilitySettings } from './observability.js'

export interface Config {
  readonly host: string
  readonly port: number
  /** The gRPC API's port (processes with the api role); 0: any free port; null: no gRPC server. */
  readonly grpcPort: number | null
  readonly dataDir: string
  /** `sqlite:<path>` or `postgres://…` */
  readonly db: string
  /** `memory:` (in-process, one process) or `nats://host:port[,host:port…]` (JetStream) */
  readonly bus: string
  readonly busSettings: BusSettings
  readonly jwtSecret: string
  readonly accessTokenTtlSeconds: number
  readonly refreshTokenTtlSeconds: number
  readonly maxGroupMembers: number
  readonly maxTextBytes: number
  readonly bodyLimitBytes: number
  readonly logLevel: string
  readonly sqliteSynchronous: 'normal' | 'full'
  /** Where SQLite runs: the event-loop thread (default) or a worker thread. */
  readonly sqliteThread: 'worker' | 'main'
  readonly shutdownGraceMs: number
  readonly stream: StreamSettings
  readonly webhooks: WebhookSettings
  readonly files: FileConfig
  /** Rate limits, login throttling, CORS, TLS (docs/security.md). */
  readonly security: SecuritySettings
  readonly channels: ChannelSettings
  /** Metrics (GET /metrics) and traces (OTLP) (docs/operations.md). */
  readonly observability: ObservabilitySettings
}

/** Channels: connectors, their simulators and delivery retries (docs/channels.md). */
export interface ChannelSettings {
  /** Mount the three platform simulators on the API's port and point unconfigured connectors at them (all-in-one only). */
  readonly simulators: boolean
  /** Where the simulators are mounted: `<prefix>/whatsapp`, … */
  readonly simulatorPrefix: string
  /** Attempts of one delivery to one recipient before it is FAILED and dead-lettered. */
  readonly maxAttempts: number
  readonly retryBaseMs: number
  readonly retryCapMs: number
  /** Sends in flight per process. */
  readonly concurrency: number
  /** The username owning the channel accounts: contacts' first messages open a conversation with them. Null: the first admin. */
  readonly owner: string | null
  /** Channels whose inbound is fetched by long polling instead of webhooks (Telegram getUpdates). */
  readonly poll: readonly string[]
  /** The connectors' own variables (each connector declares them), as set. */
  readonly values: Readonly<Record<string, string>>
}

/** The event bus and its consumers (docs/architecture.md). */
export interface BusSettings {
  /** Partitions of the NATS event subjects; fixed for the life of a deployment (order per conversation). */
  readonly partitions: number
  /** How long a NATS delivery may go unacknowledged before another process gets it (the take-over time). */
  readonly ackWaitMs: number
  /** Attempts of one event by one consumer group before it is dead-lettered. */
  readonly maxAttempts: number
  /** Copies of the event stream a NATS cluster keeps. */
  readonly replicas: number
  /** How often the outbox relay looks for events written by other processes. */
  readonly relayPollMs: number
}

/** Files: storage, uploads and downloads (docs/files.md). */
export interface FileConfig {
  /** `file:<dir>` or `s3://bucket[/prefix]?endpoint=…&region=…&force_path_style=true` */
  readonly blobs: string
  readonly maxFileBytes: number
  /** Chunk (multipart part) size of resumable uploads. */
  readonly chunkBytes: number
  readonly uploadExpirySeconds: number
  readonly downloadUrlTtlSeconds: number
  readonly cleanupIntervalSeconds: number
  /** Where clients reach the API (upload locations, download links); taken from each request when null. */
  readonly publicUrl: string | null
  /** Static S3 credentials; the AWS SDK's default chain (environment, profile, role) when null. */
  readonly s3AccessKeyId: string | null
  readonly s3SecretAccessKey: string | null
}

/** Outbound webhooks (docs/webhooks.md). */
export interface WebhookSettings {
  /** The whole of one delivery attempt. */
  readonly timeoutMs: number
  /** Attempts before a delivery is dead-lettered. */
  readonly maxAttempts: number
  /** Wait after the first failure; each further wait is 3× longer, up to the cap. */
  readonly retryBaseMs: number
  readonly retryCapMs: number
  /** Deliveries in flight per process, and per webhook. */
  readonly concurrency: number
  readonly perWebhookConcurrency: number
  /** CIDRs webhooks may call although they are loopback, private or link-local. */
  readonly allowedNetworks: readonly string[]
}

/** The live stream: WebSocket /v1/stream and SSE /v1/events (docs/stream.md). */
export interface StreamSettings {
  /** Unsent bytes a connection may hold before its events queue instead. */
  readonly bufferBytes: number
  /** Queued events per connection; one more closes it with 4008 (resume). */
  readonly bufferEvents: number
  /** Most messages replayed per conversation on resume; beyond, a stream.reset. */
  readonly replayLimit: number
  readonly heartbeatMs: number
  /** Presence is shared in conversations of at most this many members. */
  readonly presenceMaxMembers: number
  /** How often each API process says it is alive (presence across processes). */
  readonly presenceHeartbeatMs: number
  /** Silence after which another process counts as gone and its users as offline. */
  readonly presenceExpiryMs: number
}

/** Each variable with its default and what it does; `chat4all config` prints them. */
export const configDocs: Readonly<Record<string, string>> = {
  CHAT4ALL_HOST: 'Interface to listen on (default 0.0.0.0)',
  CHAT4ALL_PORT: 'Port to listen on (default 8080; PORT is honoured too)',
  CHAT4ALL_GRPC_PORT: 'Port of the gRPC API, served by processes with the api role (default 50051; 0: any free port; off: no gRPC server)',
  CHAT4ALL_DATA_DIR: 'Where the embedded database and generated secrets live (default ./data)',
  CHAT4ALL_DB: 'sqlite:<file> (default sqlite:<data dir>/chat4all.db) or postgres://user@host:port/db',
  CHAT4ALL_BUS: 'memory: (default, in-process: one process) or nats://host:4222[,host2:4222] (NATS JetStream: scale out)',
  CHAT4ALL_BUS_PARTITIONS: 'Partitions of the NATS event subjects; never change it on a running deployment (default 64)',
  CHAT4ALL_BUS_ACK_WAIT_MS: 'How long a NATS delivery may go unacknowledged before another worker gets it (default 3000)',
  CHAT4ALL_BUS_MAX_ATTEMPTS: 'Attempts of one event by one consumer before it is dead-lettered (default 10)',
  CHAT4ALL_BUS_REPLICAS: 'Copies of the NATS event stream: 1 on a single server (default), 3 on a production cluster',
  CHAT4ALL_RELAY_POLL_MS: 'How often the outbox relay looks for events written by other processes (default 250 on memory:, 20 on NATS)',
  CHAT4ALL_JWT_SECRET: 'HMAC secret for access tokens (default: generated once into <data dir>/jwt-secret)',
  CHAT4ALL_ACCESS_TOKEN_TTL: 'Access token lifetime in seconds (default 900)',
  CHAT4ALL_REFRESH_TOKEN_TTL: 'Refresh token lifetime in seconds (default 2592000, 30 days)',
  CHAT4ALL_MAX_GROUP_MEMBERS: 'Most members a group may hold (default 1000)',
  CHAT4ALL_MAX_TEXT_BYTES: 'Largest message text in UTF-8 bytes (default 65536)',
  CHAT4ALL_LOG_LEVEL: 'pino level: trace, debug, info, warn, error (default info)',
  CHAT4ALL_SQLITE_SYNC: 'normal (survives a process crash; default) or full (also survives power loss)',
  CHAT4ALL_SQLITE_THREAD: 'main (default: the event-loop thread) or worker (SQLite on its own thread; for machines with cores to spare)',
  CHAT4ALL_SHUTDOWN_GRACE_MS: 'How long SIGTERM waits for in-flight work (default 10000)',
  CHAT4ALL_STREAM_BUFFER_BYTES: 'Unsent bytes a live connection may hold before its events queue (default 1048576)',
  CHAT4ALL_STREAM_BUFFER_EVENTS: 'Events a live connection may queue; one more closes it with 4008, resume (default 10000)',
  CHAT4ALL_STREAM_REPLAY_LIMIT: 'Most messages replayed per conversation on resume; beyond it a stream.reset (default 10000)',
  CHAT4ALL_STREAM_HEARTBEAT_MS: 'Ping interval of live connections; a peer silent for one interval is dropped (default 30000)',
  CHAT4ALL_PRESENCE_MAX_MEMBERS: 'Presence is shared in conversations of at most this many members (default 100)',
  CHAT4ALL_PRESENCE_HEARTBEAT_MS: 'How often each API process tells the others it is alive (default 10000)',
  CHAT4ALL_PRESENCE_EXPIRY_MS:
    'Silence after which another API process counts as gone and its users go offline; users of a crashed process are offline within this plus half a heartbeat (default 25000: within 30 s)',
  CHAT4ALL_WEBHOOK_TIMEOUT_MS: 'Longest a webhook delivery attempt may take, connection to answer (default 10000)',
  CHAT4ALL_WEBHOOK_MAX_ATTEMPTS: 'Attempts before a webhook delivery is dead-lettered (default 10, about 24 h)',
  CHAT4ALL_WEBHOOK_RETRY_BASE_MS: 'Wait after the first failed attempt; ×3 per attempt, ±20% jitter (default 60000)',
  CHAT4ALL_WEBHOOK_RETRY_CAP_MS: 'Longest wait between two attempts (default 21600000, 6 h)',
  CHAT4ALL_WEBHOOK_CONCURRENCY: 'Webhook deliveries in flight per process (default 64)',
  CHAT4ALL_WEBHOOK_PER_WEBHOOK_CONCURRENCY: 'Deliveries in flight to one webhook (default 4)',
  CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS:
    'Comma-separated CIDRs webhooks may call although loopback/private/link-local, e.g. 127.0.0.0/8 (default none)',
  CHAT4ALL_BLOBS: 'Where file bytes live: file:<dir> (default file:<data dir>/blobs) or s3://bucket[/prefix]?endpoint=…&region=…&force_path_style=true',
  CHAT4ALL_MAX_FILE_BYTES: 'Largest file in bytes; larger uploads get 413 before their body is read (default 2147483648, 2 GiB)',
  CHAT4ALL_UPLOAD_CHUNK_BYTES: 'Chunk size of resumable uploads, ≥ 5 MiB for S3 (default 8388608)',
  CHAT4ALL_UPLOAD_EXPIRY: 'Seconds an upload may stay incomplete before it and its bytes are deleted (default 86400)',
  CHAT4ALL_UPLOAD_CLEANUP_INTERVAL: 'Seconds between sweeps for expired uploads (default 300)',
  CHAT4ALL_DOWNLOAD_URL_TTL: 'Lifetime of a download URL in seconds (default 3600)',
  CHAT4ALL_PUBLIC_URL: 'Base URL clients reach the API at, for upload locations and download links (default: from each request)',
  CHAT4ALL_S3_ACCESS_KEY_ID: "S3 access key (default: the AWS SDK's chain: AWS_* environment, profile, instance role)",
  CHAT4ALL_S3_SECRET_ACCESS_KEY: 'S3 secret key, with CHAT4ALL_S3_ACCESS_KEY_ID',
  ...securityConfigDocs,
  ...observabilityConfigDocs,
  CHAT4ALL_SIMULATORS:
    'on (default) or off: the all-in-one mounts the WhatsApp, Instagram and Telegram simulators on its port and points every connector without settings of its own at them',
  CHAT4ALL_SIMULATOR_PREFIX: 'Path the simulators are mounted under: <prefix>/whatsapp … (default /_sim)',
  CHAT4ALL_CHANNEL_MAX_ATTEMPTS: 'Attempts to deliver a message to one external recipient before it is FAILED and dead-lettered (default 8)',
  CHAT4ALL_CHANNEL_RETRY_BASE_MS: 'Wait after the first failed channel send; ×2 per attempt, ±20% jitter, never less than the platform asks (default 1000)',
  CHAT4ALL_CHANNEL_RETRY_CAP_MS: 'Longest wait between two channel send attempts (default 300000)',
  CHAT4ALL_CHANNEL_CONCURRENCY: 'Channel sends in flight per process (default 64)',
  CHAT4ALL_CHANNEL_POLL:
    'Channels whose contacts\' messages are fetched by long polling instead of webhooks, e.g. telegram (getUpdates; then no Telegram webhook secret is needed) (default none)',
  CHAT4ALL_CHANNEL_OWNER:
    "Username owning the channel accounts: a contact's message that belongs to no conversation opens a private one with this user (default: the first admin)",
}

export { ConfigError }

function integer(env: NodeJS.ProcessEnv, key: string, fallback: number, min = 0): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${key} must be an integer ≥ ${min}, got '${raw}'`)
  return value
}

function grpcPort(env: NodeJS.ProcessEnv): number | null {
  if ((env['CHAT4ALL_GRPC_PORT'] ?? '').trim().toLowerCase() === 'off') return null
  const port = integer(env, 'CHAT4ALL_GRPC_PORT', 50051)
  if (port > 65535) throw new ConfigError(`CHAT4ALL_GRPC_PORT must be a port (0 to 65535) or off, got '${port}'`)
  return port
}

function jwtSecret(env: NodeJS.ProcessEnv, dataDir: string): string {
  const given = env['CHAT4ALL_JWT_SECRET']
  if (given) {
    if (given.length < 32) throw new ConfigError('CHAT4ALL_JWT_SECRET must be at least 32 characters')
    return given
  }
  const file = join(dataDir, 'jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return secret
}

function fileConfig(env: NodeJS.ProcessEnv, dataDir: string): FileConfig {
  const MiB = 1024 * 1024
  const publicUrl = (env['CHAT4ALL_PUBLIC_URL'] || '').replace(/\/+$/, '')
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new ConfigError(`CHAT4ALL_PUBLIC_URL must be an http(s) URL, got '${publicUrl}'`)
  const accessKey = env['CHAT4ALL_S3_ACCESS_KEY_ID'] || null
  const secretKey = env['CHAT4ALL_S3_SECRET_ACCESS_KEY'] || null
  if ((accessKey === null) !== (secretKey === null)) {
    throw new ConfigError('CHAT4ALL_S3_ACCESS_KEY_ID and CHAT4ALL_S3_SECRET_ACCESS_KEY go together')
  }
  const chunkBytes = integer(env, 'CHAT4ALL_UPLOAD_CHUNK_BYTES', 8 * MiB, 5 * MiB)
  if (chunkBytes > 5 * 1024 * MiB) throw new ConfigError('CHAT4ALL_UPLOAD_CHUNK_BYTES must be at most 5 GiB (S3 part limit)')
  return Object.freeze({
    blobs: env['CHAT4ALL_BLOBS'] || `file:${join(dataDir, 'blobs')}`,
    maxFileBytes: integer(env, 'CHAT4ALL_MAX_FILE_BYTES', 2 * 1024 * MiB, 1),
    chunkBytes,
    uploadExpirySeconds: integer(env, 'CHAT4ALL_UPLOAD_EXPIRY', 24 * 3600, 1),
    downloadUrlTtlSeconds: integer(env, 'CHAT4ALL_DOWNLOAD_URL_TTL', 3600, 1),
    cleanupIntervalSeconds: integer(env, 'CHAT4ALL_UPLOAD_CLEANUP_INTERVAL', 300, 1),
    publicUrl: publicUrl || null,
    s3AccessKeyId: accessKey,
    s3SecretAccessKey: secretKey,
  })
}

/**
 * `connectorDocs`: the variables the connectors declare (the composition root knows them, this
 * module names no channel); they are collected into `channels.values` instead of reported unknown.
 */
function channelSettings(env: NodeJS.ProcessEnv, connectorDocs: Readonly<Record<string, string>>): ChannelSettings {
  const simulators = env['CHAT4ALL_SIMULATORS'] || 'on'
  if (simulators !== 'on' && simulators !== 'off') throw new ConfigError(`CHAT4ALL_SIMULATORS must be on or off, got '${simulators}'`)
  const prefix = (env['CHAT4ALL_SIMULATOR_PREFIX'] || '/_sim').replace(/\/+$/, '')
  if (!/^\/[A-Za-z0-9_\-/]+$/.test(prefix)) throw new ConfigError(`CHAT4ALL_SIMULATOR_PREFIX must be a path such as /_sim, got '${prefix}'`)
  const values: Record<string, string> = {}
  for (const key of Object.keys(connectorDocs)) {
    const value = env[key]
    if (value) values[key] = value
  }
  return Object.freeze({
    simulators: simulators === 'on',
    simulatorPrefix: prefix,
    maxAttempts: integer(env, 'CHAT4ALL_CHANNEL_MAX_ATTEMPTS', 8, 1),
    retryBaseMs: integer(env, 'CHAT4ALL_CHANNEL_RETRY_BASE_MS', 1_000, 1),
    retryCapMs: integer(env, 'CHAT4ALL_CHANNEL_RETRY_CAP_MS', 300_000, 1),
    concurrency: integer(env, 'CHAT4ALL_CHANNEL_CONCURRENCY', 64, 1),
    owner: env['CHAT4ALL_CHANNEL_OWNER'] || null,
    poll: Object.freeze((env['CHAT4ALL_CHANNEL_POLL'] ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean)),
    values: Object.freeze(values),
  })
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  connectorDocs: Readonly<Record<string, string>> = {},
): { config: Config; warnings: string[] } {
  const warnings = Object.keys(env)
    .filter((key) => key.startsWith('CHAT4ALL_') && !(key in configDocs) && !(key in connectorDocs))
    .map((key) => `Unknown setting ${key} is ignored; known settings: chat4all config`)
  const dataDir = resolve(env['CHAT4ALL_DATA_DIR'] || './data')
  const sync = env['CHAT4ALL_SQLITE_SYNC'] || 'normal'
  if (sync !== 'normal' && sync !== 'full') throw new ConfigError(`CHAT4ALL_SQLITE_SYNC must be normal or full, got '${sync}'`)
  // Measured on 2 cores shared with the load generator, a worker thread gained nothing (bench/README.md).
  const sqliteThread = env['CHAT4ALL_SQLITE_THREAD'] || 'main'
  if (sqliteThread !== 'worker' && sqliteThread !== 'main') {
    throw new ConfigError(`CHAT4ALL_SQLITE_THREAD must be worker or main, got '${sqliteThread}'`)
  }
  const maxTextBytes = integer(env, 'CHAT4ALL_MAX_TEXT_BYTES', 64 * 1024, 1)
  const bus = env['CHAT4ALL_BUS'] || 'memory:'
  if (integer(env, 'CHAT4ALL_PRESENCE_EXPIRY_MS', 25_000, 200) <= integer(env, 'CHAT4ALL_PRESENCE_HEARTBEAT_MS', 10_000, 100)) {
    throw new ConfigError('CHAT4ALL_PRESENCE_EXPIRY_MS must be longer than CHAT4ALL_PRESENCE_HEARTBEAT_MS')
  }
  const config: Config = {
    host: env['CHAT4ALL_HOST'] || '0.0.0.0',
    port: integer(env, 'CHAT4ALL_PORT', integer(env, 'PORT', 8080)),
    grpcPort: grpcPort(env),
    dataDir,
    db: env['CHAT4ALL_DB'] || `sqlite:${join(dataDir, 'chat4all.db')}`,
    bus,
    busSettings: Object.freeze({
      partitions: integer(env, 'CHAT4ALL_BUS_PARTITIONS', 64, 1),
      ackWaitMs: integer(env, 'CHAT4ALL_BUS_ACK_WAIT_MS', 3_000, 500),
      maxAttempts: integer(env, 'CHAT4ALL_BUS_MAX_ATTEMPTS', 10, 1),
      replicas: integer(env, 'CHAT4ALL_BUS_REPLICAS', 1, 1),
      relayPollMs: integer(env, 'CHAT4ALL_RELAY_POLL_MS', bus.startsWith('nats://') ? 20 : 250, 1),
    }),
    jwtSecret: jwtSecret(env, dataDir),
    accessTokenTtlSeconds: integer(env, 'CHAT4ALL_ACCESS_TOKEN_TTL', 900, 1),
    refreshTokenTtlSeconds: integer(env, 'CHAT4ALL_REFRESH_TOKEN_TTL', 30 * 24 * 3600, 1),
    maxGroupMembers: integer(env, 'CHAT4ALL_MAX_GROUP_MEMBERS', 1000, 2),
    maxTextBytes,
    // Room for the largest text even when every character is JSON-escaped, plus metadata.
    bodyLimitBytes: Math.max(1024 * 1024, maxTextBytes * 6 + 64 * 1024),
    logLevel: env['CHAT4ALL_LOG_LEVEL'] || 'info',
    sqliteSynchronous: sync,
    sqliteThread,
    shutdownGraceMs: integer(env, 'CHAT4ALL_SHUTDOWN_GRACE_MS', 10_000),
    stream: Object.freeze({
      // At least twice a socket's 16 KiB high-water mark, so a congested socket always emits 'drain'.
      bufferBytes: integer(env, 'CHAT4ALL_STREAM_BUFFER_BYTES', 1024 * 1024, 32 * 1024),
      bufferEvents: integer(env, 'CHAT4ALL_STREAM_BUFFER_EVENTS', 10_000, 1),
      replayLimit: integer(env, 'CHAT4ALL_STREAM_REPLAY_LIMIT', 10_000, 1),
      heartbeatMs: integer(env, 'CHAT4ALL_STREAM_HEARTBEAT_MS', 30_000, 100),
      presenceMaxMembers: integer(env, 'CHAT4ALL_PRESENCE_MAX_MEMBERS', 100, 2),
      presenceHeartbeatMs: integer(env, 'CHAT4ALL_PRESENCE_HEARTBEAT_MS', 10_000, 100),
      presenceExpiryMs: integer(env, 'CHAT4ALL_PRESENCE_EXPIRY_MS', 25_000, 200),
    }),
    webhooks: Object.freeze({
      timeoutMs: integer(env, 'CHAT4ALL_WEBHOOK_TIMEOUT_MS', 10_000, 1),
      maxAttempts: integer(env, 'CHAT4ALL_WEBHOOK_MAX_ATTEMPTS', 10, 1),
      retryBaseMs: integer(env, 'CHAT4ALL_WEBHOOK_RETRY_BASE_MS', 60_000, 1),
      retryCapMs: integer(env, 'CHAT4ALL_WEBHOOK_RETRY_CAP_MS', 6 * 3600_000, 1),
      concurrency: integer(env, 'CHAT4ALL_WEBHOOK_CONCURRENCY', 64, 1),
      perWebhookConcurrency: integer(env, 'CHAT4ALL_WEBHOOK_PER_WEBHOOK_CONCURRENCY', 4, 1),
      allowedNetworks: Object.freeze(
        (env['CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS'] ?? '').split(',').map((entry) => entry.trim()).filter(Boolean),
      ),
    }),
    files: fileConfig(env, dataDir),
    security: securityConfig(env, env['CHAT4ALL_DB'] || 'sqlite:'),
    channels: channelSettings(env, connectorDocs),
    observability: observabilityConfig(env),
  }
  return { config: Object.freeze(config), warnings }
}

/** The resolved configuration with secrets masked, for `chat4all config`. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    jwtSecret: '***',
    db: config.db.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@'),
    files: { ...config.files, s3SecretAccessKey: config.files.s3SecretAccessKey === null ? null : '***' },
    // Connector values may be tokens and secrets: only which are set is shown.
    channels: { ...config.channels, values: Object.keys(config.channels.values) },
    observability: { ...config.observability, metricsToken: config.observability.metricsToken === null ? null : '***' },
  }
}
