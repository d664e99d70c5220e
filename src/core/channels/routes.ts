/**
 * @module The `channels` of a send: which linked identities of the Chat4All recipients also get the
 * message (`["whatsapp"]`, `["whatsapp","telegram"]`, `["all"]`). Without it a user gets the
 * internal route only and an external member their own channel. The internal route is always kept:
 * the message is in the conversation whatever the channels say.
 */
import type { CoreContext } from '../context.js'
import { errors } from '../errors.js'
import type { Identity } from '../../ports/identity-store.js'

export const ALL_CHANNELS = 'all'

/** Normalised (lower case, unique) and checked against the channels this deployment knows; undefined when none. */
export function checkChannels(ctx: CoreContext, channels: readonly string[] | undefined): readonly string[] | undefined {
  if (!channels || channels.length === 0) return undefined
  const known = new Set((ctx.addressSchemes ?? []).map((scheme) => scheme.channel))
  const wanted = [...new Set(channels.map((channel) => channel.trim().toLowerCase()))]
  for (const [index, channel] of wanted.entries()) {
    if (channel !== ALL_CHANNELS && !known.has(channel)) {
      throw errors.validation(`channels[${index}]`, `unknown channel '${channel}'; known: ${[...known, ALL_CHANNELS].join(', ')}`)
    }
  }
  return wanted.sort()
}

/** The identities a message with these `channels` also goes to. */
export function identitiesRouted(channels: readonly string[], identities: readonly Identity[]): Identity[] {
  const all = channels.includes(ALL_CHANNELS)
  return identities.filter((identity) => all || channels.includes(identity.platform))
}
