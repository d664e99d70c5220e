/** @module What an admin sees of the channels: each account and its circuit breaker (`GET /v1/admin/channels`). */
import type { CoreContext } from '../context.js'
import { errors } from '../errors.js'
import { breakerDetails, type ChannelAccounts } from './accounts.js'

export async function channelStates(ctx: Pick<CoreContext, 'store'>, accounts: ChannelAccounts, callerId: string) {
  // Read from the store on every call, like the rest of /v1/admin: a revocation takes effect at once.
  const caller = await ctx.store.getUser(callerId)
  if (!caller?.isAdmin) throw errors.adminRequired()
  return Object.entries(breakerDetails(accounts)).map(([channel, state]) => ({ channel, ...state }))
}
