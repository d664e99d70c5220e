/**
 * @module The web client (web/, built to web/dist by `npm run build`), served by every API process
 * from the same origin as the API: no second server, no CDN.
 *
 * Every built file gets its own route (no wildcard), so the API's paths (/v1, /auth, /health, /ready,
 * /metrics, /_sim, /v1/uploads …) can never be shadowed, an unknown path stays a 404 problem+json,
 * and a wrong method on an API path stays a 405. The client's own deep links (`/c/<conversation>`)
 * are the only fallback to index.html. Hashed assets are cached for a year; index.html is
 * revalidated on every load, so a new build is picked up at once.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Logger } from 'pino'
import { webPagePolicy } from '../security.js'

/** web/dist beside src/ and dist/: this file is src/transports/http/routes/ or dist/transports/http/routes/. */
export const webDistDir = fileURLToPath(new URL('../../../../web/dist/', import.meta.url))

const immutable = 'public, max-age=31536000, immutable'
const revalidate = 'no-cache'

/** The client's deep links, answered with index.html (the page routes itself from the path). */
export const webClientPaths = ['/c/:conversationId'] as const

/** A route of the web client (a built file, `/`, or a deep link), as opposed to an API route. */
export function isWebClientRoute(url: string, dir = webDistDir): boolean {
  if (url === '/' || (webClientPaths as readonly string[]).includes(url)) return true
  return !url.includes(':') && !url.includes('*') && existsSync(join(dir, url))
}

export interface WebRouteOptions {
  readonly logger: Logger
  /** Where the built client is; web/dist by default. */
  readonly dir?: string
}

function pageHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', webPagePolicy)
  // The page is the only thing here a browser renders; no API response may frame it.
  reply.header('x-frame-options', 'DENY')
}

export const webRoutes =
  ({ logger, dir = webDistDir }: WebRouteOptions) =>
  async (app: FastifyInstance): Promise<void> => {
    if (!existsSync(join(dir, 'index.html'))) {
      logger.warn({ dir }, 'web client not built (npm run build:web): / is not served')
      return
    }
    app.addHook('onRequest', async (_request, reply) => pageHeaders(reply))
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      // One route per built file, found at start: see the module comment.
      wildcard: false,
      // Compressed copies written by the build (web/scripts/compress.mjs) are served to clients that take them.
      preCompressed: true,
      globIgnore: ['**/*.gz', '**/*.br'],
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', path.includes('/assets/') ? immutable : revalidate)
      },
    })
    for (const url of webClientPaths) {
      // The page, not an API operation: left out of the OpenAPI document like the static files.
      app.get(url, { schema: { hide: true } }, async (_request, reply) => {
        reply.header('cache-control', revalidate)
        return reply.sendFile('index.html')
      })
    }
  }
