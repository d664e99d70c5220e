/**
 * @module The composition root: configuration → adapters → core → services. The only module that
 * knows which adapters exist.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { addressSchemes, connectorDefinitions, openBlobs, openBus, openFanout, openRateLimits, openStore } from './adapters/index.js'
import { ConfigError, type Config } from './config/load.js'
import type { CoreContext } from './core/context.js'
import { createTokenService } from './core/tokens.js'
import { createPresence } from './core/presence.js'
import { createStreamHub, type StreamHub } from './core/stream/hub.js'
import { createBatchMembers, createMemberCache, type MemberCache } from './core/stream/member-cache.js'
import { buildHttpServer } from './transports/http/server.js'
import type { GrpcServer } from './transports/grpc/server.js'
import { startGrpc } from './grpc-setup.js'
import { createOutboxRelay } from './workers/outbox-relay.js'
import { createFanoutWorker } from './workers/fanout.js'
import type { ConsumeOptions, Consumer } from './ports/bus.js'
import type { Store } from './ports/store.js'
import { createUrlGuard } from './core/webhooks/url-guard.js'
import { createWebhookService } from './core/webhooks/service.js'
import { startWebhookWorkers, type WebhookWorkers } from './workers/webhook-workers.js'
import { createFilesContext } from './core/files/context.js'
import { createUploadCleanup } from './workers/upload-cleanup.js'
import { createGuards } from './guards.js'
import { connectorSettingDocs } from './workers/channel-services.js'
import { createChannelSetup } from './channel-setup.js'
import { startObservability, type Observability } from './observability/setup.js'
import { probeBlobs, probeBus, probeStore, type ProbeResult } from './adapters/probes.js'
import { instrumentStore } from './observability/instrumented-store.js'
import { instrumentBus } from './observability/instrumented-bus.js'
import { instrumentBlobs } from './observability/instrumented-blobs.js'
import { instrumentConnectors } from './observability/instrumented-connectors.js'

/** The connectors' own variables, for `loadConfig` (it names no channel). */
export const channelSettingDocs: Readonly<Record<string, string>> = connectorSettingDocs(connectorDefinitions)

export interface Platform {
  readonly http: FastifyInstance
  readonly ctx: CoreContext
  /** Where the API listens, e.g. http://127.0.0.1:8080 */
  readonly url: string
  /** Where the gRPC API listens, e.g. 127.0.0.1:50051; undefined without the api role or with CHAT4ALL_GRPC_PORT=off. */
  readonly grpcAddress: string | undefined
  /** This process's live connections (WebSocket, SSE and gRPC Subscribe); undefined without the api role. */
  readonly stream: StreamHub | undefined
  /** Stops taking requests, lets in-flight work finish, closes every adapter. */
  stop(): Promise<void>
}

/**
 * What a process runs: the HTTP API (with the live stream), the bus consumers (live fan-out,
 * webhooks, upload cleanup), the outbox relay — or any mix. The all-in-one process runs all three.
 */
export interface Roles {
  readonly api: boolean
  readonly worker: boolean
  readonly relay: boolean
  /** The channel connectors: the `channels` consumer group and the senders (absent: not run). */
  readonly connector?: boolean
  /** With `connector`: send only on these channels (`--channels whatsapp,telegram`); all configured ones when absent. */
  readonly connectorChannels?: readonly string[]
}

export const allRoles: Roles = { api: true, worker: true, relay: true, connector: true }

const roleNames = ['all', 'api', 'worker', 'relay', 'connector'] as const

export function parseRoles(value: string, channels?: string): Roles {
  const names = value.split(',').map((name) => name.trim())
  const unknown = names.filter((name) => !(roleNames as readonly string[]).includes(name))
  if (unknown.length > 0) throw new ConfigError(`unknown role(s) ${unknown.join(', ')}; known: ${roleNames.join(', ')}`)
  const all = names.includes('all')
  const connector = all || names.includes('connector')
  const only = channels?.split(',').map((name) => name.trim()).filter(Boolean)
  if (only && !connector) throw new ConfigError('--channels goes with the connector role')
  const notChannels = (only ?? []).filter((name) => !Object.hasOwn(connectorDefinitions, name))
  if (notChannels.length > 0) throw new ConfigError(`unknown channel(s) ${notChannels.join(', ')}; known: ${Object.keys(connectorDefinitions).join(', ')}`)
  return {
    api: all || names.includes('api'),
    worker: all || names.includes('worker'),
    relay: all || names.includes('relay'),
    connector,
    ...(only && only.length > 0 ? { connectorChannels: only } : {}),
  }
}

/**
 * The memory bus lives inside one process: an API process apart from its workers would accept
 * messages that no live connection ever hears of. Refuse that at start instead of failing quietly.
 */
export function checkRolesFitBus(roles: Roles, busUrl: string): void {
  const split = !(roles.api && roles.worker && roles.relay)
  if (split && !busUrl.startsWith('nats://')) {
    throw new ConfigError(
      `roles can run in separate processes only on a shared bus: CHAT4ALL_BUS is '${busUrl}', set it to nats://host:4222 (README, "Scaling out")`,
    )
  }
}

/** What the configuration would connect to, each contacted without changing it (`chat4all config check`). */
export async function probeDependencies(config: Config): Promise<readonly (ProbeResult & { readonly name: string; readonly target: string })[]> {
  const [store, bus, blobs] = await Promise.all([probeStore(config.db), probeBus(config.bus), probeBlobs(config.files)])
  return [
    { name: 'store', target: config.db, ...store },
    { name: 'bus', target: config.bus, ...bus },
    { name: 'blobs', target: config.files.blobs, ...blobs },
  ]
}

/** The store the configuration names (for the platform, and for CLI commands that work on it). */
export function openConfiguredStore(config: Config): Promise<Store> {
  return openStore({ url: config.db, sqliteSynchronous: config.sqliteSynchronous, sqliteThread: config.sqliteThread })
}

export async function startPlatform(config: Config, logger: Logger, roles: Roles = allRoles): Promise<Platform> {
  checkRolesFitBus(roles, config.bus)
  // Metrics and tracing wrap the ports here, at their boundary: adapters and most workers know nothing of them.
  const obs = startObservability(config.observability)
  const { metrics, tracing } = obs
  const store = instrumentStore(await openConfiguredStore(config), metrics, tracing)
  const bus = instrumentBus(await openBus(config.bus, config.busSettings, logger.child({ service: 'bus' })), metrics, tracing)
  const tokens = createTokenService({
    secret: config.jwtSecret,
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
  })
  const ctx: CoreContext = {
    store,
    tokens,
    ...createGuards(config, store, tokens, openRateLimits(config.security.rateLimitStore, store)),
    limits: { maxGroupMembers: config.maxGroupMembers, maxTextBytes: config.maxTextBytes, maxMetadataBytes: 16 * 1024 },
    now: Date.now,
    newId: randomUUID,
    addressSchemes,
    metrics,
  }

  // Live fan-out: the worker addresses bus events to users, the hub hands them to this process's connections.
  const fanout = await openFanout(config.bus)
  const members = createMemberCache({ store, maxEntries: 10_000, ttlMs: 60_000, now: Date.now })
  const stream = roles.api ? startStream(config, logger, { store, fanout, members, metrics, tracing }) : undefined

  // Files: bytes in the blob store, metadata in the store; download URLs signed with the shared secret.
  const blobs = instrumentBlobs(await openBlobs(config.files, (message) => logger.warn(message)), metrics)
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
  const consumers: Consumer[] = []
  if (roles.worker) {
    const consume = consumerSettings(config, store, logger)
    webhookWorkers = startWebhookWorkers({
      store,
      bus,
      consume,
      guard: webhookGuard,
      settings: config.webhooks,
      logger: logger.child({ service: 'webhooks' }),
      signal: services.signal,
    })
    consumers.push(
      createFanoutWorker({ bus, fanout, members: addressingMembers(config, store, members), consume }),
      webhookWorkers.dispatcher,
    )
    await Promise.all(consumers.map((consumer) => consumer.start()))
    uploadCleanup = createUploadCleanup({
      fx,
      logger: logger.child({ service: 'upload-cleanup' }),
      intervalMs: config.files.cleanupIntervalSeconds * 1000,
    }).run(services.signal)
  }
  if (roles.relay) {
    relay = createOutboxRelay({
      store,
      bus,
      logger: logger.child({ service: 'outbox-relay' }),
      batchSize: 1024,
      pollIntervalMs: config.busSettings.relayPollMs,
    }).run(services.signal)
  }

  const channels = createChannelSetup({
    config,
    logger,
    roles,
    ctx,
    fx,
    store,
    bus,
    definitions: instrumentConnectors(connectorDefinitions, metrics),
    consume: consumerSettings(config, store, logger),
    signal: services.signal,
  })
  // A worker-only process still answers /health and /ready, so orchestrators can probe it.
  const http = await buildHttpServer(ctx, {
    logger,
    bodyLimit: config.bodyLimitBytes,
    routes: roles.api ? 'all' : 'health',
    ...(stream ? { stream } : {}),
    files: { fx, publicUrl: config.files.publicUrl },
    corsOrigins: config.security.corsOrigins,
    trustProxy: config.security.trustProxy,
    ...(config.security.tls
      ? { tls: { cert: readFileSync(config.security.tls.certFile), key: readFileSync(config.security.tls.keyFile) } }
      : {}),
    readyDetails: channels.readyDetails,
    ...observedHttp(obs, config, roles, stream),
    webhooks: createWebhookService({
      store,
      guard: webhookGuard,
      now: ctx.now,
      newId: ctx.newId,
      ...(webhookWorkers ? { onQueued: webhookWorkers.wake } : {}),
    }),
  })
  // Channels: platform webhooks, and the simulators of the all-in-one shape (docs/channels.md).
  await channels.register(http)
  obs.watch({
    ...(roles.relay ? { outbox: store } : {}),
    ...(stream ? { stream } : {}),
    ...(roles.connector ? { breakers: () => channels.accounts.channels().map((channel) => ({ channel, state: channels.accounts.get(channel)?.guard.breaker().state ?? 'closed' })) } : {}),
    now: Date.now,
  })

  const address = await http.listen({ host: config.host, port: config.port })
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1')

  consumers.push(...(await channels.start(url)))

  let grpc: GrpcServer | undefined
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      // Live connections first: an open SSE response would otherwise hold http.close() until the grace ends.
      stream?.close()
      await Promise.all([http.close(), grpc?.close(config.shutdownGraceMs)])
      services.abort()
      // Consumers finish the batches in hand; what they had not taken stays in the bus (or the outbox).
      await Promise.all([relay, webhookWorkers?.done, channels.done(), uploadCleanup, ...consumers.map((consumer) => consumer.drain())])
      await Promise.all(consumers.map((consumer) => consumer.stop()))
      await bus.close()
      await fanout.close()
      await blobs.close()
      await store.close()
      await obs.shutdown()
    })())

  // gRPC on a port of its own, sharing the HTTP API's context, guards and stream hub.
  if (stream) {
    const setup = { ctx, fx, hub: stream, store, httpUrl: url, logger: logger.child({ service: 'grpc' }) }
    grpc = await startGrpc(config, setup).catch(async (error: unknown) => {
      await stop()
      throw error
    })
  }

  return { http, ctx, url, grpcAddress: grpc?.address, stream, stop }
}

/** GET /metrics on every role, request metrics and spans, and this process's status for the admin summary. */
function observedHttp(obs: Observability, config: Config, roles: Roles, stream: StreamHub | undefined) {
  const names = (['api', 'worker', 'relay', 'connector'] as const).filter((role) => roles[role])
  return {
    metrics: { recorder: obs.metrics, ...(obs.exposition ? { exposition: obs.exposition } : {}), token: config.observability.metricsToken },
    tracing: obs.tracing,
    processStatus: obs.status(names, () => stream?.connections ?? 0),
  }
}

function startStream(
  config: Config,
  logger: Logger,
  { store, fanout, members, metrics, tracing }: Pick<Parameters<typeof createStreamHub>[0], 'store' | 'fanout' | 'members' | 'metrics' | 'tracing'>,
): StreamHub {
  const presence = createPresence({
    store,
    fanout,
    logger: logger.child({ service: 'presence' }),
    node: randomUUID(),
    maxConversationSize: config.stream.presenceMaxMembers,
    heartbeatMs: config.stream.presenceHeartbeatMs,
    expiryMs: config.stream.presenceExpiryMs,
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
    ...(metrics ? { metrics } : {}),
    ...(tracing ? { tracing } : {}),
  })
}

/** What every bus consumer shares: attempts before a dead letter, and where dead letters are kept. */
function consumerSettings(config: Config, store: Store, logger: Logger): Omit<ConsumeOptions, 'batchSize'> {
  const log = logger.child({ service: 'consumers' })
  return {
    maxAttempts: config.busSettings.maxAttempts,
    deadLetters: async (letter) => {
      log.error({ group: letter.group, eventId: letter.event.id, attempts: letter.attempts, error: letter.error }, 'event dead-lettered')
      await store.addDeadLetter({ id: randomUUID(), ...letter })
    },
  }
}

/**
 * Members for addressing live events. On the memory bus one process sees every event, so its cache
 * is dropped whenever membership changes. On a shared bus a conversation's events may be handled
 * by any worker: one that did not see a membership change would address later messages from a
 * stale list, so there members are read afresh for each batch, in one read.
 */
function addressingMembers(config: Config, store: Store, shared: MemberCache): MemberCache {
  if (!config.bus.startsWith('nats://')) return shared
  return createBatchMembers(store)
}
