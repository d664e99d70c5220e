/**
 * @module Accounts and tokens: /auth/register, /auth/token, /auth/refresh, /auth/logout,
 * /auth/logout-all (also under /v1) and /v1/me (read, delete).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { deleteAccount, login, logout, logoutAll, refresh, register, type TokenPair } from '../../../core/accounts.js'
import type { CoreContext } from '../../../core/context.js'
import { errors } from '../../../core/errors.js'
import type { DeletedAccount } from '../../../ports/store.js'
import { callerId, requireAuth } from '../auth.js'
import { authProblems, bodyProblems, LogoutBody, Me, problems, RefreshBody, RegisterBody, TokenBody, TokenPair as TokenPairSchema, User, presentUser } from '../../../wire/index.js'
import { doc, publicDoc } from '../openapi-doc.js'
import { rateLimit } from '../rate-limit.js'

const NoContent = { description: 'Done' }

const presentTokens = (pair: TokenPair): TokenPairSchema => ({
  access_token: pair.accessToken,
  token_type: 'Bearer',
  expires_in: pair.expiresIn,
  refresh_token: pair.refreshToken,
})

export interface AccountRouteOptions {
  /** Called after an account is deleted with the files only it could see (their bytes go too). */
  readonly onDeleted?: (deleted: DeletedAccount) => Promise<void>
}

/** A POST without a body validates as `{}` (Fastify would validate `undefined` against the object schema). */
const noBodyIsEmpty = async (request: FastifyRequest): Promise<void> => {
  request.body ??= {}
}

export const accountRoutes =
  (ctx: CoreContext, options: AccountRouteOptions = {}): FastifyPluginAsyncTypebox =>
  async (app) => {
    const limit = (rule: 'register' | 'login' | 'refresh') => rateLimit(ctx.rateLimits, rule, 'address', ctx.now)
    const authenticated = requireAuth(ctx.auth)

    for (const prefix of ['/auth', '/v1/auth']) {
      // The first API's paths (without /v1) stay, marked deprecated: /v1 is the one to use.
      const alias = prefix === '/auth' ? { deprecated: true } : {}
      app.post(`${prefix}/register`, {
        schema: {
          ...publicDoc('Accounts', 'Create an account'), ...alias,
          body: { ...RegisterBody, examples: [{ username: 'alice', password: 'correct-horse-battery', display_name: 'Alice' }] },
          response: { 201: User, ...problems(bodyProblems, 'username_taken', 'email_taken', 'rate_limited') },
        },
        preHandler: limit('register'),
      }, async (request, reply) => {
        const { username, password, email, display_name } = request.body
        const user = await register(ctx, { username, password, email, displayName: display_name })
        return reply.status(201).send(presentUser(user))
      })

      app.post(`${prefix}/token`, {
        schema: {
          ...publicDoc('Accounts', 'Log in: an access and a refresh token'), ...alias,
          body: { ...TokenBody, examples: [{ username: 'alice', password: 'correct-horse-battery' }] },
          response: { 200: TokenPairSchema, ...problems(bodyProblems, 'invalid_credentials', 'rate_limited') },
        },
        preHandler: limit('login'),
      }, async (request) =>
        presentTokens(await login(ctx, request.body.username, request.body.password, request.ip)),
      )

      app.post(`${prefix}/refresh`, {
        schema: {
          ...publicDoc('Accounts', 'Trade a refresh token for a new pair (the old one is spent)'), ...alias,
          body: RefreshBody,
          response: { 200: TokenPairSchema, ...problems(bodyProblems, 'invalid_token', 'rate_limited') },
        },
        preHandler: limit('refresh'),
      }, async (request) =>
        presentTokens(await refresh(ctx, request.body.refresh_token)),
      )

      // Ends the session of the refresh token given, or else the one the access token belongs to.
      app.post(`${prefix}/logout`, {
        schema: {
          ...doc('Accounts', 'End a session: the refresh token given, or else the one of the access token'), ...alias,
          body: LogoutBody,
          response: { 204: NoContent, ...problems(authProblems, bodyProblems) },
        },
        preValidation: noBodyIsEmpty,
        preHandler: authenticated,
      }, async (request, reply) => {
        const caller = request.caller!
        const refreshToken = request.body.refresh_token
        await logout(ctx, caller.userId, { sessionId: caller.sessionId, ...(refreshToken === undefined ? {} : { refreshToken }) })
        return reply.status(204).send()
      })

      app.post(`${prefix}/logout-all`, {
        schema: { ...doc('Accounts', 'End every session of the account'), ...alias, response: { 204: NoContent, ...problems(authProblems) } },
        preHandler: authenticated,
      }, async (request, reply) => {
        await logoutAll(ctx, callerId(request))
        return reply.status(204).send()
      })
    }

    app.get('/v1/me', {
      schema: { ...doc('Accounts', 'The account of the token'), response: { 200: Me, ...problems(authProblems) } },
      preHandler: authenticated,
    }, async (request) => {
      const user = await ctx.store.getUser(callerId(request))
      if (!user) throw errors.invalidToken('The account behind this token no longer exists')
      // Told to the account itself only: other users' views of an account do not reveal its role.
      return { ...presentUser(user), is_admin: user.isAdmin }
    })

    app.delete('/v1/me', {
      schema: {
        ...doc('Accounts', 'Delete the account', 'Its sessions, identities and the files only it could see go with it.'),
        response: { 204: NoContent, ...problems(authProblems) },
      },
      preHandler: authenticated,
    }, async (request, reply) => {
      const deleted = await deleteAccount(ctx, callerId(request))
      await options.onDeleted?.(deleted)
      return reply.status(204).send()
    })
  }
