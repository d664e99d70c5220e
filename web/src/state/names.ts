/**
 * @module Names for member ids. The API gives members as user ids and has no lookup from an id to a
 * username yet, so the client learns names where it can: the signed-in user, usernames the user
 * typed that the server resolved (creating a private conversation, adding a member), and the name
 * each sender states about itself in its messages' metadata (`sender_name`, like a display name).
 * Unknown ids show as a short id.
 */
const storageKey = 'chat4all.names'

const known = new Map<string, string>(Object.entries(load()))

function load(): Record<string, string> {
  try {
    return (JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Record<string, string>) ?? {}
  } catch {
    return {}
  }
}

export function learnName(id: string, name: unknown): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64 || known.get(id) === name) return
  known.set(id, name)
  localStorage.setItem(storageKey, JSON.stringify(Object.fromEntries(known)))
}

export type Channel = 'whatsapp' | 'instagram' | 'telegram'

/** The channel of an external address (`whatsapp:+55…`), or null for a Chat4All user. */
export function channelOf(member: string): Channel | null {
  const match = /^(whatsapp|instagram|telegram):/.exec(member)
  return match ? (match[1] as Channel) : null
}

export function nameOf(id: string): string {
  const channel = channelOf(id)
  if (channel) return id.slice(channel.length + 1)
  return known.get(id) ?? `user ${id.slice(0, 8)}`
}
