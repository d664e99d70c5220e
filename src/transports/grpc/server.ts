/**
 * @module The gRPC API on its own port: the five chat4all.v1 services over the same core context,
 * stream hub, files context and guards as HTTP, plus server reflection (so grpcurl and tools can
 * discover the API) and the standard health service.
 */
import { loadPackageDefinition, Server, ServerCredentials, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { ReflectionService } from '@grpc/reflection'
import type { Logger } from 'pino'
import type { CoreContext } from '../../core/context.js'
import type { FilesContext } from '../../core/files/context.js'
import type { StreamHub } from '../../core/stream/hub.js'
import { createHealth, healthProtoPath, type Health } from './health.js'
import { apiProtoFiles, loadApiDefinition, loaderOptions } from './proto.js'
import { authService } from './services/auth.js'
import { conversationService } from './services/conversations.js'
import { eventService } from './services/events.js'
import { fileService } from './services/files.js'
import { messageService } from './services/messages.js'

export interface GrpcServerOptions {
  readonly ctx: CoreContext
  readonly fx: FilesContext
  readonly hub: StreamHub
  /** Where clients reach the HTTP API: download URLs point there. */
  readonly apiBase: () => string
  readonly host: string
  /** 0: any free port. */
  readonly port: number
  /** PEM certificate and key: TLS, like the HTTP API; plaintext without. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer }
  /** HTTP/2 pings to idle connections, so a vanished peer's Subscribe ends (the stream's heartbeat). */
  readonly keepaliveMs: number
  readonly health: { readonly isReady: () => Promise<boolean>; readonly intervalMs: number }
  readonly logger: Logger
}

export interface GrpcServer {
  /** host:port clients connect to (127.0.0.1 when listening on every interface). */
  readonly address: string
  readonly port: number
  readonly health: Health
  /** Health says NOT_SERVING, new calls are refused, calls in flight get `graceMs` to finish. */
  close(graceMs: number): Promise<void>
}

const service = (pkg: GrpcObject, name: string): ServiceDefinition => {
  const constructor = (pkg['chat4all'] as GrpcObject)['v1'] as GrpcObject
  return (constructor[name] as unknown as { service: ServiceDefinition }).service
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const { ctx, fx, hub } = options
  const report = (err: unknown, method: string) => options.logger.error({ err, method }, 'gRPC call failed')
  const api = loadPackageDefinition(loadApiDefinition())
  const server = new Server({
    'grpc.keepalive_time_ms': options.keepaliveMs,
    'grpc.keepalive_timeout_ms': Math.min(options.keepaliveMs, 20_000),
    'grpc.keepalive_permit_without_calls': 1,
  })
  server.addService(service(api, 'AuthService'), authService(ctx, report))
  server.addService(service(api, 'ConversationService'), conversationService(ctx, report))
  server.addService(service(api, 'MessageService'), messageService(ctx, report))
  server.addService(service(api, 'FileService'), fileService({ fx, apiBase: options.apiBase, report }))
  server.addService(service(api, 'EventService'), eventService({ hub, auth: ctx.auth, report }))

  const health = createHealth(options.health)
  health.addToServer(server)
  // Reflection describes our services and the health service, from the same .proto files.
  new ReflectionService(loadSync([...apiProtoFiles, healthProtoPath], loaderOptions)).addToServer(server)
  await health.check()

  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], false)
    : ServerCredentials.createInsecure()
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, credentials, (error, bound) => {
      if (!error) return resolve(bound)
      health.stop()
      reject(new Error(`The gRPC API cannot listen on ${host}:${options.port} (${error.message}); set CHAT4ALL_GRPC_PORT to a free port, or off`, { cause: error }))
    }),
  )
  const reachable = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : host

  return {
    address: `${reachable}:${port}`,
    port,
    health,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        health.stop()
        const timer = setTimeout(() => server.forceShutdown(), graceMs)
        timer.unref()
        server.tryShutdown(() => {
          clearTimeout(timer)
          resolve()
        })
      }),
  }
}
