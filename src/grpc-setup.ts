/**
 * @module The gRPC API of a process with the api role, composed from what the HTTP API uses: the
 * same core context (guards included), files context and stream hub. Part of the composition root.
 */
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import type { Config } from './config/load.js'
import type { CoreContext } from './core/context.js'
import type { FilesContext } from './core/files/context.js'
import type { StreamHub } from './core/stream/hub.js'
import type { Store } from './ports/store.js'
import { startGrpcServer, type GrpcServer } from './transports/grpc/server.js'

export interface GrpcSetup {
  readonly ctx: CoreContext
  readonly fx: FilesContext
  readonly hub: StreamHub
  readonly store: Store
  /** The HTTP API's URL: download links point there unless CHAT4ALL_PUBLIC_URL says otherwise. */
  readonly httpUrl: string
  readonly logger: Logger
}

/** Starts the gRPC server unless CHAT4ALL_GRPC_PORT is off. */
export async function startGrpc(config: Config, setup: GrpcSetup): Promise<GrpcServer | undefined> {
  if (config.grpcPort === null) return undefined
  const { tls } = config.security
  return startGrpcServer({
    ctx: setup.ctx,
    fx: setup.fx,
    hub: setup.hub,
    apiBase: () => config.files.publicUrl ?? setup.httpUrl,
    host: config.host,
    port: config.grpcPort,
    ...(tls ? { tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } } : {}),
    keepaliveMs: config.stream.heartbeatMs,
    // Readiness as GET /ready sees it: the store answers.
    health: { isReady: () => setup.store.ping().then(() => true), intervalMs: 5_000 },
    logger: setup.logger,
  })
}
