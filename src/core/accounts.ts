/** @module Registration, login, token refresh, logout and account deletion. */
import type { DeletedAccount } from '../ports/store.js'
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

async function accessFor(ctx: CoreContext, user: Pick<User, 'id' | 'username'>, sessionId: string) {
  const epoch = await ctx.store.getTokenEpoch(user.id)
  if (epoch === undefined) throw errors.invalidToken('The account no longer exists')
  return ctx.tokens.issueAccess(user.id, user.username, { sessionId, epoch })
}

/** A new session: a new refresh-token family and an access token bound to it. */
async function startSession(ctx: CoreContext, user: Pick<User, 'id' | 'username'>): Promise<TokenPair> {
  const familyId = ctx.newId()
  const refresh = ctx.tokens.newRefreshToken()
  await ctx.store.saveRefreshToken({ tokenHash: refresh.hash, userId: user.id, familyId, expiresAt: ctx.now() + ctx.tokens.refreshTtlMs })
  const access = await accessFor(ctx, user, familyId)
  return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: refresh.token }
}

/**
 * The same error, after the same work, for an unknown user and a wrong password. Attempts are
 * throttled per account and client address before the password is checked (login-throttle.ts).
 */
export async function login(ctx: CoreContext, username: string, password: string, address: string): Promise<TokenPair> {
  await ctx.loginThrottle.before(username, address)
  const user = await ctx.store.findUserByUsername(username)
  const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHashPromise))
  if (!user || !valid) throw errors.invalidCredentials()
  await ctx.loginThrottle.succeeded(username, address)
  return startSession(ctx, user)
}

/**
 * Rotates the pair: the old refresh token is used up. Presenting a used one again is taken as
 * theft (RFC 9700 §4.14.2): its whole family, the successor included, is revoked.
 */
export async function refresh(ctx: CoreContext, refreshToken: string): Promise<TokenPair> {
  const next = ctx.tokens.newRefreshToken()
  const now = ctx.now()
  const rotation = await ctx.store.rotateRefreshToken(
    ctx.tokens.hashRefreshToken(refreshToken),
    { tokenHash: next.hash, expiresAt: now + ctx.tokens.refreshTtlMs },
    now,
  )
  if (rotation.kind === 'reused') {
    throw errors.invalidToken('This refresh token was already used; the session is revoked, log in again')
  }
  const user = rotation.kind === 'rotated' ? await ctx.store.getUser(rotation.userId) : undefined
  if (!user || rotation.kind !== 'rotated') throw errors.invalidToken('The refresh token is invalid, expired or already used')
  const access = await accessFor(ctx, user, rotation.familyId)
  return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: next.token }
}

/**
 * Ends one session: the family of the refresh token given, or else the one the access token was
 * issued for. Its access tokens stay valid until they expire (short-lived); logoutAll cuts those too.
 */
export async function logout(ctx: CoreContext, userId: string, session: { refreshToken?: string; sessionId: string | null }): Promise<void> {
  const familyId =
    session.refreshToken === undefined
      ? session.sessionId
      : await ctx.store.findRefreshFamily(userId, ctx.tokens.hashRefreshToken(session.refreshToken))
  if (familyId) await ctx.store.revokeRefreshFamily(userId, familyId)
}

/** Ends every session of the user: refresh tokens, and access tokens issued until now. */
export async function logoutAll(ctx: CoreContext, userId: string): Promise<void> {
  await ctx.store.revokeAllSessions(userId)
  ctx.auth.forget(userId)
}

/**
 * Deletes the caller's account (store.deleteUser says what goes and what stays). Its tokens stop
 * working in this process at once, in others within the authenticator's cache TTL.
 */
export async function deleteAccount(ctx: CoreContext, userId: string): Promise<DeletedAccount> {
  const deleted = await ctx.store.deleteUser(userId, ctx.now())
  ctx.auth.forget(userId)
  if (!deleted) throw errors.invalidToken('The account behind this token no longer exists')
  return deleted
}
