/**
 * @module Member references as clients write them: a user id, a username, or an external channel
 * address `<channel>:<id>` (`whatsapp:+5511999998888`, `instagram:@handle`, `telegram:123456`).
 */

import type { AddressScheme } from '../ports/connector.js'

export const channels = ['whatsapp', 'instagram', 'telegram'] as const
export type ChannelName = (typeof channels)[number]

const channelPatterns: Readonly<Record<ChannelName, RegExp>> = {
  whatsapp: /^\+[1-9]\d{7,14}$/,
  instagram: /^@?[A-Za-z0-9._]{1,30}$/,
  telegram: /^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/,
}

export type ParsedReference =
  | { readonly kind: 'external'; readonly address: string }
  | { readonly kind: 'invalid_external'; readonly reason: string }
  | { readonly kind: 'user_id'; readonly id: string }
  | { readonly kind: 'username'; readonly username: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/** `<channel>:<id>` by the connectors' own schemes: a new channel needs no edit here. */
function parseBySchemes(channel: string, id: string, schemes: readonly AddressScheme[]): ParsedReference {
  const scheme = schemes.find((s) => s.channel === channel)
  if (!scheme) return { kind: 'invalid_external', reason: `unknown channel '${channel}'; known: ${schemes.map((s) => s.channel).join(', ')}` }
  const parsed = scheme.parse(id)
  if (!parsed.ok) return { kind: 'invalid_external', reason: `'${id}' is not a valid ${channel} address: ${parsed.reason}` }
  return { kind: 'external', address: `${channel}:${parsed.id}` }
}

export function parseReference(reference: string, schemes?: readonly AddressScheme[]): ParsedReference {
  const colon = reference.indexOf(':')
  if (colon > 0 && schemes) return parseBySchemes(reference.slice(0, colon).toLowerCase(), reference.slice(colon + 1), schemes)
  if (colon > 0) {
    const channel = reference.slice(0, colon).toLowerCase()
    const id = reference.slice(colon + 1)
    if (!(channels as readonly string[]).includes(channel)) {
      return { kind: 'invalid_external', reason: `unknown channel '${channel}'; known: ${channels.join(', ')}` }
    }
    if (!channelPatterns[channel as ChannelName].test(id)) {
      return { kind: 'invalid_external', reason: `'${id}' is not a valid ${channel} address` }
    }
    // A bare number is an IGSID, the only thing Instagram sends to (as the connector's scheme says); other bare names are handles.
    const normalized = channel === 'instagram' && !id.startsWith('@') && !/^\d+$/.test(id) ? `@${id}` : id
    return { kind: 'external', address: `${channel}:${normalized}` }
  }
  if (isUuid(reference)) return { kind: 'user_id', id: reference.toLowerCase() }
  return { kind: 'username', username: reference }
}
