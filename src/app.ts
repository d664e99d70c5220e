/**
 * @module The composition root: configuration → adapters → core → services. The only module that
 * knows which adapters exist.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { openBlobs, openBus, openFanout, openStore } from './adapters/index.js'
import type { Config } from './config/load.js'
import type { CoreContext } from './core/context.js'
import { createTokenService } from './core/tokens.js'
import { createPresence } from './core/presence.js'
import { createStreamHub, type StreamHub } from './core/stream/hub.js'
import { createMemberCache } from './core/stream/member-cache.js'
import { buildHttpServer } from './transports/http/server.js'
import { createOutboxRelay } from './workers/outbox-relay.js'
import { startRouter } from './workers/router.js'
import { startFanoutWorker } from './workers/fanout.js'
import { createUrlGuard } from './core/webhooks/url-guard.js'
import { createWebhookService } from './core/webhooks/service.js'
import { startWebhookWorkers, type WebhookWorkers } from './workers/webhook-workers.js'
import { createFilesContext } from './core/files/context.js'
import { createUploadCleanup } from './workers/upload-cleanup.js'

export interface Platform {
  readonly http: FastifyInstance
  readonly ctx: CoreContext
  /** Where the API listens, e.g. http://127.0.0.1:8080 */
  readonly url: string
  /** Stops taking requests, lets in-flight work finish, closes every adapter. */
  stop(): Promise<void>
}

/** What a process runs: the HTTP API, the background workers (outbox relay and router), or both. */
export interface Roles {
  readonly api: boolean
  readonly worker: boolean
}

export const allRoles: Roles = { api: true, worker: true }

export function parseRoles(value: string): Roles {
  const names = value.split(',').map((name) => name.trim())
  const unknown = names.filter((name) => !['all', 'api', 'worker'].includes(name))
  if (unknown.length > 0) throw new Error(`unknown role(s) ${unknown.join(', ')}; known: all, api, worker`)
  const all = names.includes('all')
  return { api: all || names.includes('api'), worker: all || names.includes('worker') }
}

export async function startPlatform(config: Config, logger: Logger, roles: Roles = allRoles): Promise<Platform> {
  const store = await openStore({
    url: config.db,
    sqliteSynchronous: config.sqliteSynchronous,
    sqliteThread: config.sqliteThread,
  })
  const bus = await openBus(config.bus)
  const ctx: CoreContext = {
    store,
    tokens: createTokenService({
      secret: config.jwtSecret,
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
    }),
    limits: { maxGroupMembers: config.maxGroupMembers, maxTextBytes: config.maxTextBytes, maxMetadataBytes: 16 * 1024 },
    now: Date.now,
    newId: randomUUID,
  }

  // Live fan-out: the worker addresses bus events to users, the hub hands them to this process's connections.
  const fanout = await openFanout(config.bus)
  const members = createMemberCache({ store, maxEntries: 10_000, ttlMs: 60_000, now: Date.now })
  const stream = roles.api ? startStream(config, logger, { store, fanout, members }) : undefined

  // Files: bytes in the blob store, metadata in the store; download URLs signed with the shared secret.
  const blobs = await openBlobs(config.files, (message) => logger.warn(message))
  const fx = createFilesContext(
    ctx,
    blobs,
    {
      maxFileBytes: config.files.maxFileBytes,
      chunkBytes: config.files.chunkBytes,
      uploadExpiryMs: config.files.uploadExpirySeconds * 1000,
      downloadUrlTtlSeconds: config.files.downloadUrlTtlSeconds,
    },
    config.jwtSecret,
  )

  const services = new AbortController()
  let relay: Promise<void> = Promise.resolve()
  let uploadCleanup: Promise<void> = Promise.resolve()
  const webhookGuard = createUrlGuard({ allowedNetworks: config.webhooks.allowedNetworks })
  let webhookWorkers: WebhookWorkers | undefined
  if (roles.worker) {
    webhookWorkers = startWebhookWorkers({
      store,
      bus,
      guard: webhookGuard,
      settings: config.webhooks,
      logger: logger.child({ service: 'webhooks' }),
      signal: services.signal,
    })
    startRouter({ store, bus, logger: logger.child({ service: 'router' }), maxAttempts: 10 })
    startFanoutWorker({ bus, fanout, members, logger: logger.child({ service: 'fanout' }), maxAttempts: 10 })
    uploadCleanup = createUploadCleanup({
      fx,
      logger: logger.child({ service: 'upload-cleanup' }),
      intervalMs: config.files.cleanupIntervalSeconds * 1000,
    }).run(services.signal)
    relay = createOutboxRelay({
      store,
      bus,
      logger: logger.child({ service: 'outbox-relay' }),
      batchSize: 1024,
      pollIntervalMs: 250,
    }).run(services.signal)
  }

  // A worker-only process still answers /health and /ready, so orchestrators can probe it.
  const http = await buildHttpServer(ctx, {
    logger,
    bodyLimit: config.bodyLimitBytes,
    routes: roles.api ? 'all' : 'health',
    ...(stream ? { stream } : {}),
    files: { fx, publicUrl: config.files.publicUrl },
    webhooks: createWebhookService({
      store,
      guard: webhookGuard,
      now: ctx.now,
      newId: ctx.newId,
      ...(webhookWorkers ? { onQueued: webhookWorkers.wake } : {}),
    }),
  })
  const address = await http.listen({ host: config.host, port: config.port })
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1')

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      // Live connections first: an open SSE response would otherwise hold http.close() until the grace ends.
      stream?.close()
      await http.close()
      services.abort()
      await Promise.all([relay, webhookWorkers?.done, uploadCleanup])
      await bus.close()
      await fanout.close()
      await blobs.close()
      await store.close()
    })())
  return { http, ctx, url, stop }
}

function startStream(
  config: Config,
  logger: Logger,
  { store, fanout, members }: Pick<Parameters<typeof createStreamHub>[0], 'store' | 'fanout' | 'members'>,
): StreamHub {
  const presence = createPresence({
    store,
    fanout,
    logger: logger.child({ service: 'presence' }),
    node: randomUUID(),
    maxConversationSize: config.stream.presenceMaxMembers,
    now: Date.now,
  })
  return createStreamHub({
    store,
    fanout,
    members,
    presence,
    limits: {
      bufferBytes: config.stream.bufferBytes,
      bufferEvents: config.stream.bufferEvents,
      replayLimit: config.stream.replayLimit,
      replayPageSize: 500,
      typingIntervalMs: 1_000,
      heartbeatMs: config.stream.heartbeatMs,
    },
    typingTtlMs: 5_000,
    logger: logger.child({ service: 'stream' }),
    now: Date.now,
  })
}
