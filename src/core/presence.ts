/**
 * @module Presence: who is online, shown to the people who share a conversation with them. Each
 * process counts its own connections per user and tells the others through the fan-out; a user is
 * online while any process holds one of their connections. Only the time the last connection
 * closed is stored (`last_seen_at`); nothing else outlives a restart.
 *
 * Fan-out delivery is best effort, and a process can die without saying goodbye. So every process
 * keeps a view of the users each other process holds, and checks it against heartbeats:
 * - Every `heartbeatMs` (10 s) a process publishes a heartbeat: its id, how many users it holds,
 *   and a 32-bit digest of their ids. There is no user list, so even a big process's heartbeat is
 *   about 100 bytes.
 * - A process whose view of the sender does not match the heartbeat (it missed an announcement, it
 *   just started, the sender came back after being expired) asks for the sender's roster. A roster is
 *   the exact list of users the sender holds. It is sent only when asked, in chunks, and once for
 *   requests that arrive together. The view is replaced by it, so the view is repaired within one
 *   heartbeat. A process that starts asks every process at once, so its first snapshots are right.
 * - Every heartbeatMs / 2, a process expires the other processes it has not heard from (any envelope
 *   counts) for over `expiryMs` (25 s, so one lost heartbeat is tolerated). Users held only by an
 *   expired process go offline, and their `last_seen_at` becomes the time it was last heard.
 *   Bound: a crashed process's users are shown offline within expiryMs + heartbeatMs / 2 of its last
 *   heartbeat. With the defaults that is 30 s, and so within 30 s of the crash.
 * Every process works out expiries and repairs the same way. So each one hands the changes to its own
 * connections (`onLocalChange`) and never publishes them, and each connection hears of them once.
 * `last_seen_at` is written by the lowest process id alive, so a crash does not cost one write per
 * process. A process that has stopped hearing even its own heartbeats is cut off and writes nothing.
 */
import type { Logger } from 'pino'
import type { Fanout } from '../ports/fanout.js'
import type { Contact, Store } from '../ports/store.js'
import type { PresenceControl, PresenceEvent } from './stream/live-event.js'

/** A presence change for some of this process's connections. */
export interface LocalPresence {
  readonly to: readonly string[]
  readonly event: PresenceEvent
}

export interface Presence {
  /** A connection of the user opened here. The first one makes the user online. */
  connected(userId: string): void
  /** A connection of the user closed here. The last one everywhere makes the user offline. */
  disconnected(userId: string): void
  /** The presence of the user's contacts now, for a new connection. */
  snapshot(userId: string): Promise<readonly PresenceEvent[]>
  /** A presence event or presence bookkeeping from the fan-out, from any process (this one included). */
  observe(event: PresenceEvent | PresenceControl): void
  /** The user's conversations changed: their contacts are read again when next needed. */
  contactsChanged(userId: string): void
  /**
   * Where this process sends the presence changes it works out by itself (a silent process's users
   * going offline, a repaired view). Every process works out the same ones, so they go to this
   * process's connections only. They are never published.
   */
  onLocalChange(deliver: (change: LocalPresence) => void): () => void
  /** Stops the heartbeats. Other processes expire this one unless it comes back. */
  close(): void
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
  /** How often this process says it is alive (default 10 s). */
  readonly heartbeatMs?: number
  /** How long another process may stay silent before its users go offline (default 25 s). */
  readonly expiryMs?: number
}

const MAX_REMEMBERED = 100_000
/** Users per roster envelope: about 80 kB of JSON, well under NATS's default 1 MB payload limit. */
const ROSTER_CHUNK = 2_000
/** Requests for this process's roster that arrive within this window get one answer. */
const ROSTER_COALESCE_MS = 200

/** FNV-1a: cheap and well spread, enough to tell two sets of user ids apart (this is no security boundary). */
function hash(userId: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Users a process holds, with a digest that XOR makes cheap to keep current: adding and removing are one operation. */
class Holding {
  readonly users = new Set<string>()
  digest = 0
  add(userId: string): boolean {
    if (this.users.has(userId)) return false
    this.users.add(userId)
    this.digest = (this.digest ^ hash(userId)) >>> 0
    return true
  }
  delete(userId: string): boolean {
    if (!this.users.delete(userId)) return false
    this.digest = (this.digest ^ hash(userId)) >>> 0
    return true
  }
}

export function createPresence(options: PresenceOptions): Presence {
  const { store, fanout, logger, node, maxConversationSize, now } = options
  const heartbeatMs = options.heartbeatMs ?? 10_000
  const expiryMs = options.expiryMs ?? 25_000
  const sweepMs = heartbeatMs / 2

  /** Connections here, by user. */
  const local = new Map<string, number>()
  /** The users this process has announced online: what its heartbeats and rosters describe. */
  const mine = new Holding()
  const contacts = new Map<string, Promise<readonly Contact[]>>()
  /** Users online somewhere, with the processes holding their connections. */
  const online = new Map<string, Set<string>>()
  /** The same, by process. */
  const views = new Map<string, Holding>()
  const lastSeen = new Map<string, number>()
  /** The other processes alive, by when they were last heard. */
  const heard = new Map<string, number>()
  /** Rosters arriving in parts, by sender. */
  const incoming = new Map<string, string[]>()
  const listeners = new Set<(change: LocalPresence) => void>()
  let heardSelf = now()
  let lastSweep = now()
  let rosterTimer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  const contactsOf = (userId: string) => {
    let known = contacts.get(userId)
    if (!known) {
      known = store.listContacts(userId, { maxConversationSize })
      known.catch(() => contacts.delete(userId))
      contacts.set(userId, known)
    }
    return known
  }

  const remember = (userId: string, at: number) => {
    lastSeen.delete(userId)
    lastSeen.set(userId, at)
    // The store has it too; this only saves a read for users who left recently.
    if (lastSeen.size > MAX_REMEMBERED) lastSeen.delete(lastSeen.keys().next().value!)
  }

  /** Records that `from` holds the user. True when that made the user online. */
  const attach = (userId: string, from: string): boolean => {
    let view = views.get(from)
    if (!view) views.set(from, (view = new Holding()))
    if (!view.add(userId)) return false
    const nodes = online.get(userId)
    if (nodes) nodes.add(from)
    else online.set(userId, new Set([from]))
    return !nodes
  }

  /** Records that `from` no longer holds the user. True when that made the user offline. */
  const detach = (userId: string, from: string): boolean => {
    const view = views.get(from)
    if (!view?.delete(userId)) return false
    if (view.users.size === 0) views.delete(from)
    const nodes = online.get(userId)
    nodes?.delete(from)
    if (nodes?.size !== 0) return false
    online.delete(userId)
    return true
  }

  /** A user's presence as worked out here: online when there is no last-seen time. */
  const presenceOf = (userId: string, from: string, lastSeenAt: number | null): PresenceEvent => ({
    type: 'presence',
    userId,
    online: lastSeenAt === null,
    lastSeenAt,
    node: from,
  })

  const publishControl = (event: PresenceControl) => {
    if (closed) return
    fanout.publish({ to: [], event }).catch((err: unknown) => logger.debug({ err, type: event.type }, 'presence: bookkeeping not sent'))
  }

  const announce = async (userId: string, isOnline: boolean, at: number | null) => {
    const to = (await contactsOf(userId)).map((c) => c.userId)
    // Recorded as the announcement is published, so the heartbeats describe exactly what was said, in order.
    if (isOnline) mine.add(userId)
    else mine.delete(userId)
    // Published even to no one: every process sees every envelope and keeps the state.
    await fanout.publish({ to, event: { type: 'presence', userId, online: isOnline, lastSeenAt: at, node } })
  }

  /**
   * Hands changed users' presence to the local connections of their contacts. Contacts are shared
   * both ways, so the contact lists of local users (cached while they are connected) give the
   * audience without reading anything about the changed users.
   */
  const tellLocal = async (changed: ReadonlyMap<string, PresenceEvent>) => {
    if (changed.size === 0 || listeners.size === 0) return
    const audience = new Map<string, string[]>()
    await Promise.all(
      [...local.keys()].map(async (here) => {
        const theirs = await contactsOf(here).catch(() => [] as readonly Contact[])
        for (const { userId } of theirs) {
          if (!changed.has(userId)) continue
          const to = audience.get(userId)
          if (to) to.push(here)
          else audience.set(userId, [here])
        }
      }),
    )
    for (const [userId, to] of audience) {
      const event = changed.get(userId)!
      // Skipped if the state changed again while contacts were read: a stale change would undo the newer one.
      if (online.has(userId) !== event.online) continue
      for (const deliver of listeners) deliver({ to, event })
    }
  }
  const tellLocalLater = (changed: ReadonlyMap<string, PresenceEvent>) => {
    tellLocal(changed).catch((err: unknown) => logger.warn({ err }, 'presence: change not delivered'))
  }

  const hear = (from: string) => {
    if (from === node) heardSelf = now()
    else heard.set(from, now())
  }

  const sendRoster = () => {
    rosterTimer = undefined
    const users = [...mine.users]
    const parts = Math.max(1, Math.ceil(users.length / ROSTER_CHUNK))
    // Published in one go: nothing of this process's comes between the parts.
    for (let part = 0; part < parts; part++) {
      const chunk = users.slice(part * ROSTER_CHUNK, (part + 1) * ROSTER_CHUNK)
      publishControl({ type: 'presence.roster', node, part, parts, users: chunk })
    }
  }

  /** The roster is the truth about `from`: the view of it is replaced, and the differences told. */
  const replaceView = (from: string, users: ReadonlySet<string>) => {
    const repair = views.has(from)
    const changed = new Map<string, PresenceEvent>()
    // When the user actually left is unknown here (that announcement was missed); the store has it.
    const at = now()
    for (const userId of [...(views.get(from)?.users ?? [])]) {
      if (users.has(userId) || !detach(userId, from)) continue
      remember(userId, at)
      changed.set(userId, presenceOf(userId, from, at))
    }
    for (const userId of users) if (attach(userId, from)) changed.set(userId, presenceOf(userId, from, null))
    // Learning a process's users for the first time is routine; correcting a view that drifted is worth a line.
    if (repair && changed.size > 0) logger.info({ node: from, changed: changed.size }, 'presence: view of a process repaired from its roster')
    tellLocalLater(changed)
  }

  /** The process has been silent too long: its users that no other process holds go offline. */
  const expire = (silent: string, lastHeard: number) => {
    heard.delete(silent)
    incoming.delete(silent)
    const gone = new Map<string, PresenceEvent>()
    for (const userId of [...(views.get(silent)?.users ?? [])]) {
      if (!detach(userId, silent)) continue
      remember(userId, lastHeard)
      gone.set(userId, presenceOf(userId, silent, lastHeard))
    }
    logger.info({ node: silent, users: gone.size }, 'presence: a silent process expired, its users are offline')
    const cutOff = now() - heardSelf > expiryMs
    const writer = !cutOff && [...heard.keys()].every((other) => node < other)
    if (writer) {
      for (const userId of gone.keys()) {
        store.setLastSeen(userId, lastHeard).catch((err: unknown) => logger.warn({ err, userId }, 'presence: last seen not stored'))
      }
    }
    tellLocalLater(gone)
  }

  const sweep = () => {
    const at = now()
    // A late sweep means this process was stalled: the others' heartbeats are likely queued unread.
    const stalled = at - lastSweep > 2 * sweepMs
    lastSweep = at
    if (stalled) return
    for (const [other, last] of heard) if (at - last > expiryMs) expire(other, last)
  }

  const observeControl = (event: PresenceControl) => {
    hear(event.node)
    if (event.node === node) return
    switch (event.type) {
      case 'presence.heartbeat': {
        const view = views.get(event.node)
        if ((view?.users.size ?? 0) === event.users && (view?.digest ?? 0) === event.digest) return
        logger.debug({ node: event.node }, 'presence: view of a process out of date, asking for its roster')
        return publishControl({ type: 'presence.roster.request', node, of: event.node })
      }
      case 'presence.roster': {
        if (event.part === 0) incoming.set(event.node, [])
        // A roster joined halfway is ignored: the next heartbeat asks again.
        const parts = incoming.get(event.node)
        if (!parts) return
        for (const userId of event.users) parts.push(userId)
        if (event.part < event.parts - 1) return
        incoming.delete(event.node)
        return replaceView(event.node, new Set(parts))
      }
      case 'presence.roster.request': {
        const asked = event.of === node || (event.of === null && mine.users.size > 0)
        if (!asked || closed || rosterTimer) return
        rosterTimer = setTimeout(sendRoster, ROSTER_COALESCE_MS)
        rosterTimer.unref()
        return
      }
    }
  }

  const beat = setInterval(
    () => publishControl({ type: 'presence.heartbeat', node, users: mine.users.size, digest: mine.digest }),
    heartbeatMs,
  )
  const sweeper = setInterval(sweep, sweepMs)
  // Timers must not keep a process alive that is otherwise done.
  beat.unref()
  sweeper.unref()
  // Starting: ask whoever holds users for them, rather than waiting for their heartbeats.
  publishControl({ type: 'presence.roster.request', node, of: null })

  return {
    connected(userId) {
      const count = (local.get(userId) ?? 0) + 1
      local.set(userId, count)
      if (count > 1) return
      // Best effort: a lost announcement is repaired at the next heartbeat.
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
      if (event.type !== 'presence') return observeControl(event)
      hear(event.node)
      if (event.online) {
        attach(event.userId, event.node)
        return
      }
      detach(event.userId, event.node)
      if (event.lastSeenAt !== null) remember(event.userId, event.lastSeenAt)
    },

    contactsChanged(userId) {
      if (local.has(userId)) contacts.delete(userId)
    },

    onLocalChange(deliver) {
      listeners.add(deliver)
      return () => void listeners.delete(deliver)
    },

    close() {
      closed = true
      clearInterval(beat)
      clearInterval(sweeper)
      if (rosterTimer) clearTimeout(rosterTimer)
      rosterTimer = undefined
      listeners.clear()
    },
  }
}
