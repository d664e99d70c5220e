/** @module GET /v1/admin/stats: the operators' summary of the platform and of this process. Admins only. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { platformStats, type ProcessStatus } from '../../../core/admin-stats.js'
import type { CoreContext } from '../../../core/context.js'
import { callerId, requireAuth } from '../auth.js'

const count = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description })

const Stats = Type.Object({
  users: count('Accounts'),
  conversations: count('Conversations, 1:1 and groups'),
  dead_letters: count('Events the bus consumers gave up on, waiting for an operator'),
  outbox: Type.Object({
    depth: count('Events accepted and not yet handed to the bus'),
    oldest_age_ms: count('Age of the oldest of them; 0 when the outbox is empty'),
  }),
  process: Type.Object(
    {
      id: Type.String({ description: 'This process (host name and pid)' }),
      roles: Type.Array(Type.String(), { description: 'api, worker, relay, connector' }),
      started_at: Type.String({ format: 'date-time' }),
      uptime_seconds: count('Seconds since it started'),
      connected_clients: count('Live connections (WebSocket and SSE) held by this process'),
      messages_per_minute: Type.Union([count('Messages this process accepted in the last 60 seconds'), Type.Null()], {
        description: 'Messages this process accepted in the last 60 seconds; null with CHAT4ALL_METRICS=off',
      }),
      resident_bytes: count('Resident memory of this process'),
    },
    { description: 'The process that answered: each API process reports itself; Prometheus sees them all' },
  ),
})

export const adminStatsRoutes =
  (ctx: CoreContext, processStatus: () => ProcessStatus): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))

    app.get('/v1/admin/stats', { schema: { response: { 200: Stats } } }, async (request) => {
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
    })
  }
