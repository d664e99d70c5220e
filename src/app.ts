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

  const services = new AbortController()
  let relay: Promise<void> = Promise.resolve()
  if (roles.worker) {
    startRouter({ store, bus, logger: logger.child({ service: 'router' }), maxAttempts: 10 })
    relay = createOutboxRelay({
      store,
      bus,
      logger: logger.child({ service: 'outbox-relay' }),
      batchSize: 1024,
      pollIntervalMs: 250,
    }).run(services.signal)
  }

  // A worker-only process still answers /health and /ready, so orchestrators can probe it.
  const http = await buildHttpServer(ctx, { logger, bodyLimit: config.bodyLimitBytes, routes: roles.api ? 'all' : 'health' })
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
