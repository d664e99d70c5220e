/** @module Turns the member references clients send into member refs, naming the entry at fault. */
import { parseReference } from './addresses.js'
import type { CoreContext } from './context.js'
import { errors } from './errors.js'
import type { MemberRef } from './model.js'

/** Resolves one reference; `field` names it in errors (`members[2]`, `to` …). */
export async function resolveMember(ctx: CoreContext, reference: string, field: string): Promise<MemberRef> {
  const parsed = parseReference(reference.trim(), ctx.addressSchemes)
  switch (parsed.kind) {
    case 'external':
      return { kind: 'external', id: parsed.address }
    case 'invalid_external':
      throw errors.validation(field, parsed.reason)
    case 'user_id': {
      const user = await ctx.store.getUser(parsed.id)
      if (!user) throw errors.unknownMember(field, reference)
      return { kind: 'user', id: user.id }
    }
    case 'username': {
      const user = await ctx.store.findUserByUsername(parsed.username)
      if (!user) throw errors.unknownMember(field, reference)
      return { kind: 'user', id: user.id }
    }
  }
}

/** Resolves a list, dropping repeats (and the caller, who is always a member anyway). */
export async function resolveMembers(
  ctx: CoreContext,
  references: readonly string[],
  field: string,
): Promise<MemberRef[]> {
  const resolved = new Map<string, MemberRef>()
  for (const [index, reference] of references.entries()) {
    const member = await resolveMember(ctx, reference, `${field}[${index}]`)
    resolved.set(member.id, member)
  }
  return [...resolved.values()]
}
