/**
 * @module A user's own external identities: `{platform, value}` checked and normalised by the
 * channel's address scheme, each address linked to one user at most. Routing by them (the
 * `channels` field of a send) is not wired yet (docs/channels.md, "Not yet").
 */
import { parseReference } from './addresses.js'
import type { CoreContext } from './context.js'
import { appError, errors } from './errors.js'
import type { Identity } from '../ports/identity-store.js'

export interface IdentityInput {
  readonly platform: string
  readonly value: string
}

function addressOf(ctx: CoreContext, input: IdentityInput): { platform: string; address: string } {
  const platform = input.platform.trim().toLowerCase()
  const parsed = parseReference(`${platform}:${input.value.trim()}`, ctx.addressSchemes)
  if (parsed.kind === 'invalid_external') throw errors.validation('value', parsed.reason)
  if (parsed.kind !== 'external') throw errors.validation('platform', `'${input.platform}' is not a channel`)
  return { platform, address: parsed.address }
}

/** Links it; true when it is new, false when it was the caller's already. */
export async function linkIdentity(ctx: CoreContext, callerId: string, input: IdentityInput): Promise<{ identity: Identity; created: boolean }> {
  const { platform, address } = addressOf(ctx, input)
  const identity: Identity = { userId: callerId, address, platform, createdAt: ctx.now() }
  const outcome = await ctx.store.linkIdentity(identity)
  if (outcome === 'taken') throw appError('identity_taken', `${address} is linked to another user`, { field: 'value' })
  if (outcome === 'linked') return { identity, created: true }
  const existing = (await ctx.store.listIdentities(callerId)).find((i) => i.address === address)
  return { identity: existing ?? identity, created: false }
}

export function listIdentities(ctx: CoreContext, callerId: string): Promise<readonly Identity[]> {
  return ctx.store.listIdentities(callerId)
}

export async function unlinkIdentity(ctx: CoreContext, callerId: string, input: IdentityInput): Promise<void> {
  const { address } = addressOf(ctx, input)
  if (!(await ctx.store.unlinkIdentity(callerId, address))) throw appError('identity_not_found', `You have no identity ${address}`)
}
