/** @module Accounts and tokens: /auth/register, /auth/token, /auth/refresh (also under /v1) and /v1/me. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { login, refresh, register, type TokenPair } from '../../../core/accounts.js'
import type { CoreContext } from '../../../core/context.js'
import { errors } from '../../../core/errors.js'
import { callerId, requireAuth } from '../auth.js'
import { presentUser } from '../present.js'
import { RefreshBody, RegisterBody, TokenBody } from '../schemas.js'

const presentTokens = (pair: TokenPair) => ({
  access_token: pair.accessToken,
  token_type: 'Bearer' as const,
  expires_in: pair.expiresIn,
  refresh_token: pair.refreshToken,
})

export const accountRoutes =
  (ctx: CoreContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    for (const prefix of ['/auth', '/v1/auth']) {
      app.post(`${prefix}/register`, { schema: { body: RegisterBody } }, async (request, reply) => {
        const { username, password, email, display_name } = request.body
        const user = await register(ctx, { username, password, email, displayName: display_name })
        return reply.status(201).send(presentUser(user))
      })

      app.post(`${prefix}/token`, { schema: { body: TokenBody } }, async (request) =>
        presentTokens(await login(ctx, request.body.username, request.body.password)),
      )

      app.post(`${prefix}/refresh`, { schema: { body: RefreshBody } }, async (request) =>
        presentTokens(await refresh(ctx, request.body.refresh_token)),
      )
    }

    app.get('/v1/me', { preHandler: requireAuth(ctx.tokens) }, async (request) => {
      const user = await ctx.store.getUser(callerId(request))
      if (!user) throw errors.invalidToken('The account behind this token no longer exists')
      // Told to the account itself only: other users' views of an account do not reveal its role.
      return { ...presentUser(user), is_admin: user.isAdmin }
    })
  }
