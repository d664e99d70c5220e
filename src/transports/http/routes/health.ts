/** @module Liveness and readiness. */
import type { FastifyPluginAsync } from 'fastify'
import { appError } from '../../../core/errors.js'
import type { Store } from '../../../ports/store.js'

/** `details` adds what else a reader of /ready should see (the channels' circuit breakers). */
export const healthRoutes =
  (store: Store, details?: () => Readonly<Record<string, unknown>>): FastifyPluginAsync =>
  async (app) => {
    app.get('/health', async () => ({ status: 'UP' }))

    app.get('/ready', async () => {
      try {
        await store.ping()
      } catch (cause) {
        throw appError('not_ready', 'The store cannot be reached', { cause })
      }
      return { status: 'UP', checks: { store: 'UP' }, ...(details ? { details: details() } : {}) }
    })
  }
