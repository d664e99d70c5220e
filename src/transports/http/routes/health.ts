/** @module Liveness and readiness. */
import type { FastifyPluginAsync } from 'fastify'
import { appError } from '../../../core/errors.js'
import type { Store } from '../../../ports/store.js'

export const healthRoutes =
  (store: Store): FastifyPluginAsync =>
  async (app) => {
    app.get('/health', async () => ({ status: 'UP' }))

    app.get('/ready', async () => {
      try {
        await store.ping()
      } catch (cause) {
        throw appError('not_ready', 'The store cannot be reached', { cause })
      }
      return { status: 'UP', checks: { store: 'UP' } }
    })
  }
