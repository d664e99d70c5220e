/**
 * @module Operating the platform: who is an admin, and the bus consumers' dead letters. The role is
 * read from the store on every call, not from the token, so a revocation takes effect at once.
 */
import type { CoreContext } from './context.js'
import { errors } from './errors.js'
import type { User } from './model.js'
import type { DeadLetter, DeadLetterQuery } from '../ports/store.js'

type AdminContext = Pick<CoreContext, 'store' | 'newId'>

const replayMarker = '~replay~'

export async function requireAdmin(ctx: Pick<CoreContext, 'store'>, callerId: string): Promise<void> {
  const caller = await ctx.store.getUser(callerId)
  if (!caller?.isAdmin) throw errors.adminRequired()
}

/** Newest first; `before` is the id of the last letter of the previous page. */
export async function listDeadLetters(
  ctx: AdminContext,
  callerId: string,
  query: DeadLetterQuery,
): Promise<readonly DeadLetter[]> {
  await requireAdmin(ctx, callerId)
  return ctx.store.listDeadLetters(query)
}

export interface Replay {
  readonly letter: DeadLetter
  /** The id the event travels under again; the old one would be dropped by the bus as a duplicate. */
  readonly replayEventId: string
}

/** Puts the letter's event back through the bus, for the consumer group that gave up on it only. */
export async function replayDeadLetter(ctx: AdminContext, callerId: string, id: string): Promise<Replay> {
  await requireAdmin(ctx, callerId)
  const letter = await ctx.store.getDeadLetter(id)
  if (!letter) throw errors.deadLetterNotFound(id)
  // Derived from the original event's id (not a replay's), so logs and receivers can tell what it replays.
  const original = letter.event.id.split(replayMarker)[0]!
  const replayEventId = `${original}${replayMarker}${ctx.newId()}`
  const replayed = await ctx.store.replayDeadLetter(id, replayEventId)
  // Another admin replayed it between our read and our write: theirs went out, ours must not.
  if (!replayed) throw errors.deadLetterNotFound(id)
  return { letter: replayed, replayEventId }
}

/** Grants or revokes the admin role (the CLI); undefined when no such user. */
export function setAdminRole(ctx: Pick<CoreContext, 'store'>, username: string, isAdmin: boolean): Promise<User | undefined> {
  return ctx.store.setAdmin({ username }, isAdmin)
}
