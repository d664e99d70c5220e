/** @module GET /v1/admin/stats: the operators' summary of the platform and of this process. Admins only. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { platformStats, type ProcessStatus } from '../../../core/admin-stats.js'
import type { CoreContext } from '../../../core/context.js'
import { AdminStats, authProblems, problems } from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'

export const adminStatsRoutes =
  (ctx: CoreContext, processStatus: () => ProcessStatus): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))

    app.get(
      '/v1/admin/stats',
      {
        schema: {
          ...doc('Admin', 'Operators\' summary: users, conversations, outbox, dead letters, and this process', 'Admins only.'),
          response: { 200: AdminStats, ...problems(authProblems, 'admin_required') },
        },
      },
      async (request) => {
        const stats = await platformStats(ctx, callerId(request), processStatus)
        const { process } = stats
        return {
          users: stats.users,
          conversations: stats.conversations,
          dead_letters: stats.deadLetters,
          outbox: { depth: stats.outboxDepth, oldest_age_ms: stats.outboxOldestAgeMs },
          process: {
            id: process.id,
            roles: [...process.roles],
            started_at: new Date(process.startedAt).toISOString(),
            uptime_seconds: Math.max(0, Math.floor((ctx.now() - process.startedAt) / 1000)),
            connected_clients: process.connectedClients,
            messages_per_minute: process.messagesLastMinute,
            resident_bytes: process.residentBytes,
          },
        }
      },
    )
  }
