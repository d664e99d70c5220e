/** @module `GET /v1/admin/channels`: the channel accounts and their circuit breakers. Admins only. */
import type { FastifyPluginAsync } from 'fastify'
import type { ChannelAccounts } from '../../../core/channels/accounts.js'
import { channelStates } from '../../../core/channels/admin.js'
import type { CoreContext } from '../../../core/context.js'
import { ChannelStates, authProblems, problems } from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'

export function adminChannelRoutes(ctx: CoreContext, accounts: ChannelAccounts): FastifyPluginAsync {
  return async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))
    const schema = { ...doc('Admin', 'The channel accounts and their circuit breakers', 'Admins only.'), response: { 200: ChannelStates, ...problems(authProblems, 'admin_required') } }
    app.get('/v1/admin/channels', { schema }, async (request) => ({ channels: await channelStates(ctx, accounts, callerId(request)) }))
  }
}
