/**
 * @module GET /metrics: this process's Prometheus exposition. Open by default, like /health (scrapers
 * usually sit on a private network); with CHAT4ALL_METRICS_TOKEN set it asks for that bearer token.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errors } from '../../../core/errors.js'
import type { MetricsExposition } from '../../../ports/metrics.js'
import { bearerToken } from '../auth.js'
import { publicDoc } from '../openapi-doc.js'
import { problems } from '../../../wire/index.js'

export interface MetricsRouteOptions {
  readonly exposition: MetricsExposition
  /** Bearer token a scraper must present; null: none needed. */
  readonly token: string | null
}

const Exposition = Type.String({ description: 'Prometheus text exposition format 0.0.4' })

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export const metricsRoutes =
  ({ exposition, token }: MetricsRouteOptions): FastifyPluginAsyncTypebox =>
  async (app) => {
    const schema = {
      ...publicDoc('Operations', 'Prometheus metrics of this process', 'Open unless CHAT4ALL_METRICS_TOKEN is set; then that bearer token is needed.'),
      response: { 200: Exposition, ...problems('unauthorized') },
    }
    app.get('/metrics', { schema }, async (request, reply) => {
      if (token !== null && !tokenMatches(bearerToken(request), token)) {
        throw errors.unauthorized('GET /metrics needs "Authorization: Bearer <CHAT4ALL_METRICS_TOKEN>"')
      }
      const { body, contentType } = await exposition.scrape()
      // A scrape must never be served from a cache: every one reads the counters afresh.
      return reply.header('cache-control', 'no-store').type(contentType).send(body)
    })
  }
