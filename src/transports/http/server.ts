/** @module The HTTP API: one Fastify instance with every route, strict validation and problem+json errors. */
import { randomUUID } from 'node:crypto'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Logger } from 'pino'
import type { CoreContext } from '../../core/context.js'
import { frameworkProblem, registerProblemHandlers } from './problem.js'
import { boundJsonDepth } from './json-body.js'
import { recordRoutes } from './route-table.js'
import { clientErrorProblem } from './client-errors.js'
import { registerSecurity } from './security.js'
import { registerOpenApi } from './openapi.js'
import { discardUpload } from '../../core/files/uploads.js'
import { createValidatorCompiler } from './validation.js'
import { createSerializerCompiler } from './serialization.js'
import { accountRoutes } from './routes/accounts.js'
import { adminRoutes } from './routes/admin.js'
import { conversationRoutes } from './routes/conversations.js'
import { healthRoutes } from './routes/health.js'
import { messageRoutes } from './routes/messages.js'
import { webhookRoutes } from './routes/webhooks.js'
import type { WebhookService } from '../../core/webhooks/service.js'
import type { StreamHub } from '../../core/stream/hub.js'
import { streamRoutes } from '../ws/stream-routes.js'
import { fileRoutes, type FileRouteOptions } from './routes/files.js'
import { fileContentRoutes } from './routes/files-content.js'
import { chunkedUploadRoutes } from './routes/files-chunked.js'
import { tusRoutes } from './routes/uploads.js'
import { webRoutes } from './routes/web.js'
import { metricsRoutes } from './routes/metrics.js'
import { adminStatsRoutes } from './routes/admin-stats.js'
import { observeHttp } from './observe.js'
import { noMetrics, type MetricsExposition, type PlatformMetrics } from '../../ports/metrics.js'
import { noTracing, type Tracing } from '../../ports/tracing.js'
import type { ProcessStatus } from '../../core/admin-stats.js'

export interface HttpServerOptions {
  readonly logger: Logger
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number
  /** `health` serves only /health and /ready (a worker-only process). */
  readonly routes: 'all' | 'health'
  /** The live stream (WebSocket /v1/stream, SSE /v1/events), served with `all` routes. */
  readonly stream?: StreamHub
  /** Outbound webhooks (/v1/webhooks), served with `all` routes. */
  readonly webhooks?: WebhookService
  /** Files: uploads (tus /v1/uploads, chunked and simple /v1/files) and downloads, served with `all` routes. */
  readonly files?: FileRouteOptions
  /** Browser origins allowed by CORS; empty: none. */
  readonly corsOrigins?: readonly string[]
  /** Certificate and key (PEM): the server speaks HTTPS (and WSS) itself. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer }
  /** Fastify's `trustProxy`: which proxies' X-Forwarded-For to believe for the client address. */
  readonly trustProxy?: boolean | string
  /** Extra details of `/ready` (channel breakers). */
  readonly readyDetails?: () => Readonly<Record<string, unknown>>
  /** Metrics: recorded per request, and served on GET /metrics (every role) when `exposition` is given. */
  readonly metrics?: {
    readonly recorder: PlatformMetrics
    readonly exposition?: MetricsExposition
    readonly token: string | null
  }
  /** A server span per request, the parent of what the request causes. */
  readonly tracing?: Tracing
  /** This process's own figures for GET /v1/admin/stats (served with `all` routes). */
  readonly processStatus?: () => ProcessStatus
}

/** The version the OpenAPI document states: the API's, which /v1 paths carry. */
const API_VERSION = '1.0.0'

/** The instance type the routes are written against. */
const plainFastify = () => Fastify().withTypeProvider<TypeBoxTypeProvider>()

export async function buildHttpServer(ctx: CoreContext, options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Fastify's two lines per request would dominate a busy API's logs; onResponse logs instead.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Errors met before routing (a path that does not decode) are problems like any other.
    frameworkErrors: frameworkProblem,
    clientErrorHandler: clientErrorProblem,
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    // HTTP/1.1 over TLS; the WebSocket upgrades on the same server. Typed as plain HTTP below: the
    // routes do not care which.
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as ReturnType<typeof plainFastify>

  recordRoutes(app)
  app.setValidatorCompiler(createValidatorCompiler())
  app.setSerializerCompiler(createSerializerCompiler())
  registerProblemHandlers(app)
  boundJsonDepth(app)
  await registerSecurity(app, { corsOrigins: options.corsOrigins ?? [], tls: options.tls !== undefined })
  // Before any route: the document is built from the routes as they are registered.
  if (options.routes === 'all') await registerOpenApi(app, API_VERSION)
  app.decorateRequest('caller', null)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    // One line per request at debug, errors and slow requests at info: a busy API must not drown its logs.
    const level = reply.statusCode >= 500 ? 'error' : reply.elapsedTime > 1000 ? 'info' : 'debug'
    request.log[level](
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request completed',
    )
  })

  if (options.metrics || options.tracing) observeHttp(app, options.metrics?.recorder ?? noMetrics, options.tracing ?? noTracing)
  await app.register(healthRoutes(ctx.store, options.readyDetails))
  if (options.metrics?.exposition) {
    await app.register(metricsRoutes({ exposition: options.metrics.exposition, token: options.metrics.token }))
  }
  if (options.routes === 'all') {
    const fx = options.files?.fx
    // A deleted account's files that nobody else could see go with their bytes.
    const onDeleted = fx
      ? async ({ orphanFiles }: { readonly orphanFiles: readonly import('../../core/model.js').FileRecord[] }) => {
          for (const record of orphanFiles) await discardUpload(fx, record)
        }
      : undefined
    await app.register(accountRoutes(ctx, onDeleted ? { onDeleted } : {}))
    await app.register(conversationRoutes(ctx))
    await app.register(messageRoutes(ctx))
    if (options.webhooks) await app.register(webhookRoutes(ctx, options.webhooks))
    await app.register(adminRoutes(ctx))
    if (options.processStatus) await app.register(adminStatsRoutes(ctx, options.processStatus))
    if (options.files) {
      await app.register(fileRoutes(options.files))
      await app.register(chunkedUploadRoutes(options.files))
      await app.register(tusRoutes(options.files))
      await app.register(fileContentRoutes(options.files.fx))
    }
    if (options.stream) {
      await app.register(streamRoutes({ hub: options.stream, ctx, logger: options.logger }))
    }
    await app.register(webRoutes({ logger: options.logger }))
  }
  return app
}
