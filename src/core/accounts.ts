/** @module Registration, login and token refresh. */
import type { CoreContext } from './context.js'
import { errors } from './errors.js'
import type { User } from './model.js'
import { decoyHashPromise, hashPassword, verifyPassword } from './passwords.js'

export interface Registration {
  readonly username: string
  readonly password: string
  readonly email?: string | undefined
  readonly displayName?: string | undefined
}

export interface TokenPair {
  readonly accessToken: string
  readonly expiresIn: number
  readonly refreshToken: string
}

export async function register(ctx: CoreContext, input: Registration): Promise<User> {
  const existing = await ctx.store.findUserByUsername(input.username)
  if (existing) throw errors.usernameTaken()
  return ctx.store.createUser({
    id: ctx.newId(),
    username: input.username,
    email: input.email?.toLowerCase() ?? null,
    displayName: input.displayName ?? input.username,
    passwordHash: await hashPassword(input.password),
    createdAt: ctx.now(),
  })
}

async function issuePair(ctx: CoreContext, user: Pick<User, 'id' | 'username'>): Promise<TokenPair> {
  const access = ctx.tokens.issueAccess(user.id, user.username)
  const refresh = ctx.tokens.newRefreshToken()
  await ctx.store.saveRefreshToken({
    tokenHash: refresh.hash,
    userId: user.id,
    expiresAt: ctx.now() + ctx.tokens.refreshTtlMs,
  })
  return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: refresh.token }
}

/** The same error, after the same work, for an unknown user and a wrong password. */
export async function login(ctx: CoreContext, username: string, password: string): Promise<TokenPair> {
  const user = await ctx.store.findUserByUsername(username)
  const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHashPromise))
  if (!user || !valid) throw errors.invalidCredentials()
  return issuePair(ctx, user)
}

/** Rotates the pair: the old refresh token stops working. */
export async function refresh(ctx: CoreContext, refreshToken: string): Promise<TokenPair> {
  const next = ctx.tokens.newRefreshToken()
  const now = ctx.now()
  const userId = await ctx.store.rotateRefreshToken(
    ctx.tokens.hashRefreshToken(refreshToken),
    { tokenHash: next.hash, expiresAt: now + ctx.tokens.refreshTtlMs },
    now,
  )
  const user = userId === undefined ? undefined : await ctx.store.getUser(userId)
  if (!user) throw errors.invalidToken('The refresh token is invalid, expired or already used')
  const access = ctx.tokens.issueAccess(user.id, user.username)
  return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: next.token }
}
