/** @module Liveness and readiness. */
import type { FastifyPluginAsync } from 'fastify'
import { appError } from '../../../core/errors.js'
import type { Store } from '../../../ports/store.js'
import { Health, problems, Readiness } from '../../../wire/index.js'
import { publicDoc } from '../openapi-doc.js'

/** `details` adds what else a reader of /ready should see (the channels' circuit breakers). */
export const healthRoutes =
  (store: Store, details?: () => Readonly<Record<string, unknown>>): FastifyPluginAsync =>
  async (app) => {
    app.get('/health', { schema: { ...publicDoc('Operations', 'Liveness: the process answers'), response: { 200: Health } } }, async () => ({ status: 'UP' }))

    app.get('/ready', {
      schema: { ...publicDoc('Operations', 'Readiness: the store answers'), response: { 200: Readiness, ...problems('not_ready') } },
    }, async () => {
      try {
        await store.ping()
      } catch (cause) {
        throw appError('not_ready', 'The store cannot be reached', { cause })
      }
      return { status: 'UP', checks: { store: 'UP' }, ...(details ? { details: details() } : {}) }
    })
  }
