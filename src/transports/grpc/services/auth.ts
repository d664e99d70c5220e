/** @module AuthService: Register, Token, Refresh — POST /auth/register, /auth/token, /auth/refresh over gRPC. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js'
import { login, refresh, register, type TokenPair } from '../../../core/accounts.js'
import type { CoreContext } from '../../../core/context.js'
import { enforceRate } from '../../../core/rate-limits.js'
import { peerAddress, unaryWith, type ReportFailure } from '../call.js'
import { presentUser } from '../convert.js'
import { check, schemas } from '../validate.js'
import type { RefreshRequest, RegisterRequest, TokenRequest } from '../wire-types.js'

const presentTokens = (pair: TokenPair) => ({
  access_token: pair.accessToken,
  token_type: 'Bearer',
  expires_in: pair.expiresIn,
  refresh_token: pair.refreshToken,
})

export function authService(ctx: CoreContext, report: ReportFailure): UntypedServiceImplementation {
  const unary = unaryWith(report)
  return {
    Register: unary<RegisterRequest>(async (request, call) => {
      const body = check(schemas.register, {
        username: request.username ?? '',
        password: request.password ?? '',
        email: request.email,
        display_name: request.display_name,
      })
      await enforceRate(ctx.rateLimits, 'register', peerAddress(call), ctx.now)
      const user = await register(ctx, { username: body.username, password: body.password, email: body.email, displayName: body.display_name })
      return { user: presentUser(user) }
    }),

    Token: unary<TokenRequest>(async (request, call) => {
      const body = check(schemas.token, { username: request.username ?? '', password: request.password ?? '' })
      const address = peerAddress(call)
      await enforceRate(ctx.rateLimits, 'login', address, ctx.now)
      return presentTokens(await login(ctx, body.username, body.password, address))
    }),

    Refresh: unary<RefreshRequest>(async (request, call) => {
      const body = check(schemas.refresh, { refresh_token: request.refresh_token ?? '' })
      await enforceRate(ctx.rateLimits, 'refresh', peerAddress(call), ctx.now)
      return presentTokens(await refresh(ctx, body.refresh_token))
    }),
  }
}
