/** @module `GET /v1/admin/channels`: the channel accounts and their circuit breakers. Admins only. */
import type { FastifyPluginAsync } from 'fastify'
import type { ChannelAccounts } from '../../../core/channels/accounts.js'
import { channelStates } from '../../../core/channels/admin.js'
import type { CoreContext } from '../../../core/context.js'
import { callerId, requireAuth } from '../auth.js'

export function adminChannelRoutes(ctx: CoreContext, accounts: ChannelAccounts): FastifyPluginAsync {
  return async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))
    app.get('/v1/admin/channels', async (request) => ({ channels: await channelStates(ctx, accounts, callerId(request)) }))
  }
}
