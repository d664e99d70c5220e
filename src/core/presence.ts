/**
 * @module Presence: who is online, shown to the people who share a conversation with them. Each
 * process counts its own connections per user and tells the others through the fan-out; a user is
 * online while any process holds one of their connections. Only the time the last connection
 * closed is stored (`last_seen_at`); nothing else outlives a restart.
 */
import type { Logger } from 'pino'
import type { Fanout } from '../ports/fanout.js'
import type { Contact, Store } from '../ports/store.js'
import type { PresenceEvent } from './stream/live-event.js'

export interface Presence {
  /** A connection of the user opened here. The first one makes the user online. */
  connected(userId: string): void
  /** A connection of the user closed here. The last one everywhere makes the user offline. */
  disconnected(userId: string): void
  /** The presence of the user's contacts now, for a new connection. */
  snapshot(userId: string): Promise<readonly PresenceEvent[]>
  /** A presence event from the fan-out, from any process (this one included). */
  observe(event: PresenceEvent): void
  /** The user's conversations changed: their contacts are read again when next needed. */
  contactsChanged(userId: string): void
}

export interface PresenceOptions {
  readonly store: Pick<Store, 'listContacts' | 'setLastSeen'>
  readonly fanout: Fanout
  readonly logger: Logger
  /** This process, so a user connected to two processes stays online when one lets go. */
  readonly node: string
  /** Presence is shared in conversations of at most this many members (big groups would storm). */
  readonly maxConversationSize: number
  readonly now: () => number
}

const MAX_REMEMBERED = 100_000

export function createPresence({ store, fanout, logger, node, maxConversationSize, now }: PresenceOptions): Presence {
  const local = new Map<string, number>()
  const contacts = new Map<string, Promise<readonly Contact[]>>()
  /** Users online somewhere, with the processes holding their connections. */
  const online = new Map<string, Set<string>>()
  const lastSeen = new Map<string, number>()

  const contactsOf = (userId: string) => {
    let known = contacts.get(userId)
    if (!known) {
      known = store.listContacts(userId, { maxConversationSize })
      known.catch(() => contacts.delete(userId))
      contacts.set(userId, known)
    }
    return known
  }

  const announce = async (userId: string, isOnline: boolean, at: number | null) => {
    const to = (await contactsOf(userId)).map((c) => c.userId)
    // Published even to no one: every process sees every envelope and keeps the state.
    await fanout.publish({ to, event: { type: 'presence', userId, online: isOnline, lastSeenAt: at, node } })
  }

  return {
    connected(userId) {
      const count = (local.get(userId) ?? 0) + 1
      local.set(userId, count)
      if (count > 1) return
      // Best effort: a lost announcement is corrected by the next one and by each new connection's snapshot.
      announce(userId, true, null).catch((err: unknown) => logger.debug({ err, userId }, 'presence: online not announced'))
    },

    disconnected(userId) {
      const count = (local.get(userId) ?? 0) - 1
      if (count > 0) {
        local.set(userId, count)
        return
      }
      local.delete(userId)
      const at = now()
      store.setLastSeen(userId, at).catch((err: unknown) => logger.warn({ err, userId }, 'presence: last seen not stored'))
      announce(userId, false, at)
        .catch((err: unknown) => logger.debug({ err, userId }, 'presence: offline not announced'))
        .finally(() => {
          if (!local.has(userId)) contacts.delete(userId)
        })
    },

    async snapshot(userId) {
      return (await contactsOf(userId)).map(
        (c): PresenceEvent => ({
          type: 'presence',
          userId: c.userId,
          online: online.has(c.userId),
          lastSeenAt: online.has(c.userId) ? null : (lastSeen.get(c.userId) ?? c.lastSeenAt),
          node,
        }),
      )
    },

    observe(event) {
      const nodes = online.get(event.userId) ?? new Set<string>()
      if (event.online) {
        nodes.add(event.node)
        online.set(event.userId, nodes)
        return
      }
      nodes.delete(event.node)
      if (nodes.size === 0) online.delete(event.userId)
      if (event.lastSeenAt === null) return
      lastSeen.delete(event.userId)
      lastSeen.set(event.userId, event.lastSeenAt)
      // The store has it too; this only saves a read for users who left recently.
      if (lastSeen.size > MAX_REMEMBERED) lastSeen.delete(lastSeen.keys().next().value!)
    },

    contactsChanged(userId) {
      if (local.has(userId)) contacts.delete(userId)
    },
  }
}
