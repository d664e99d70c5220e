/**
 * @module The composition root: configuration → adapters → core → services. The only module that
 * knows which adapters exist.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { openBus, openStore } from './adapters/index.js'
import type { Config } from './config/load.js'
import type { CoreContext } from './core/context.js'
import { createTokenService } from './core/tokens.js'
import { buildHttpServer } from './transports/http/server.js'
import { createOutboxRelay } from './workers/outbox-relay.js'
import { startRouter } from './workers/router.js'

export interface Platform {
  readonly http: FastifyInstance
  readonly ctx: CoreContext
  /** Where the API listens, e.g. http://127.0.0.1:8080 */
  readonly url: string
  /** Stops taking requests, lets in-flight work finish, closes every adapter. */
  stop(): Promise<void>
}

export async function startPlatform(config: Config, logger: Logger): Promise<Platform> {
  const store = await openStore({ url: config.db, sqliteSynchronous: config.sqliteSynchronous })
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

  startRouter({ store, bus, logger: logger.child({ service: 'router' }), maxAttempts: 10 })
  const services = new AbortController()
  const relay = createOutboxRelay({
    store,
    bus,
    logger: logger.child({ service: 'outbox-relay' }),
    batchSize: 1024,
    pollIntervalMs: 250,
  }).run(services.signal)

  const http = await buildHttpServer(ctx, { logger, bodyLimit: config.bodyLimitBytes })
  const address = await http.listen({ host: config.host, port: config.port })
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1')

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      await http.close()
      services.abort()
      await relay
      await bus.close()
      await store.close()
    })())
  return { http, ctx, url, stop }
}
