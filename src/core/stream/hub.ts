/**
 * @module The connections of this process, by user. Every envelope from the fan-out is handed to
 * the sessions of the users it addresses; membership events also keep the member cache and the
 * presence audiences current, whichever process caused them.
 */
import type { Logger } from 'pino'
import type { Fanout } from '../../ports/fanout.js'
import type { PlatformMetrics } from '../../ports/metrics.js'
import type { Tracing } from '../../ports/tracing.js'
import type { Store } from '../../ports/store.js'
import type { Presence } from '../presence.js'
import { closeCodes, type CloseCode, type StreamSink } from './frames.js'
import { isControlEvent, type Envelope, type LiveEvent } from './live-event.js'
import type { MemberCache } from './member-cache.js'
import { StreamSession, type StreamLimits } from './session.js'

export interface StreamHubOptions {
  readonly store: Store
  readonly fanout: Fanout
  readonly members: MemberCache
  /** Stopped by the hub's close(): the hub is its only user. */
  readonly presence: Presence
  readonly limits: StreamLimits
  /** How long a typing indicator shows unless renewed. */
  readonly typingTtlMs: number
  readonly logger: Logger
  readonly now: () => number
  /** Frames sent, slow-consumer closes, accept → pushed latency; absent: nothing recorded. */
  readonly metrics?: PlatformMetrics
  /** A `push` span per live message delivered here, child of the routing that addressed it. */
  readonly tracing?: Tracing
}

export interface OpenOptions {
  readonly userId: string
  readonly tokenExpiresAt: number
  readonly positions: ReadonlyMap<string, number>
  readonly sink: StreamSink
}

export interface StreamHub {
  open(options: OpenOptions): StreamSession
  /** Closes every connection, e.g. with 1001 at shutdown. */
  closeAll(code: CloseCode, reason: string): void
  readonly connections: number
  /** Users with at least one connection to this process. */
  readonly users: number
  readonly limits: StreamLimits
  close(): void
}

export function createStreamHub(options: StreamHubOptions): StreamHub {
  const { store, fanout, members, presence, limits, now } = options
  const byUser = new Map<string, Set<StreamSession>>()
  let connections = 0

  const deliver = (to: readonly string[], event: LiveEvent) => {
    let pushed = 0
    for (const userId of to) {
      const sessions = byUser.get(userId)
      if (!sessions) continue
      for (const session of sessions) {
        session.deliver(event)
        pushed++
      }
    }
    return pushed
  }
  const pushLatency = options.metrics?.enabled ? options.metrics.messageDeliveryLatency : undefined
  const tracing = options.tracing?.enabled ? options.tracing : undefined

  /** A live message: measured from its acceptance, and traced when its envelope carries a trace. */
  const deliverMessage = (envelope: { readonly to: readonly string[]; readonly event: LiveEvent; readonly traceparent?: string | undefined }) => {
    const { event } = envelope
    const span = tracing && envelope.traceparent ? tracing.start('push', { parent: envelope.traceparent, kind: 'producer' }) : undefined
    const pushed = deliver(envelope.to, event)
    span?.setAttribute('chat4all.connections', pushed)
    span?.end()
    if (pushLatency && pushed > 0 && event.type === 'message.created') {
      const seconds = Math.max(0, now() - event.createdAt) / 1000
      for (let i = 0; i < pushed; i++) pushLatency.observe(seconds, { stage: 'pushed' })
    }
  }

  const route = (envelope: Envelope) => {
    const { event } = envelope
    // Bookkeeping between processes (heartbeats, rosters): never a connection's business.
    if (isControlEvent(event)) return presence.observe(event)
    if (event.type === 'presence') presence.observe(event)
    if (event.type === 'member.joined' || event.type === 'member.left' || event.type === 'conversation.created') {
      // Another process's worker may have handled it; a second invalidation here costs one read.
      members.invalidate(event.conversationId)
      for (const userId of envelope.to) presence.contactsChanged(userId)
    }
    deliverMessage(envelope as Extract<Envelope, { readonly event: LiveEvent }>)
  }
  const unsubscribe = fanout.subscribe(route)
  // Changes presence works out by itself (a silent process's users going offline) reach local connections only.
  const stopLocalPresence = presence.onLocalChange((change) => deliver(change.to, change.event))

  const publishTyping = async (conversationId: string, userId: string) => {
    const to = (await members.members(conversationId))
      .filter((m) => m.kind === 'user' && m.id !== userId)
      .map((m) => m.id)
    if (to.length === 0) return
    await fanout.publish({ to, event: { type: 'typing', conversationId, userId, expiresAt: now() + options.typingTtlMs } })
  }

  const onClose = (session: StreamSession) => {
    const sessions = byUser.get(session.userId)
    if (!sessions?.delete(session)) return
    connections--
    if (sessions.size === 0) byUser.delete(session.userId)
    presence.disconnected(session.userId)
  }

  const deps = {
    store,
    now,
    limits,
    publishTyping,
    presenceSnapshot: (userId: string) => presence.snapshot(userId),
    onClose,
    reportError: (err: unknown, userId: string) => options.logger.error({ err, userId }, 'stream session failed'),
  }

  return {
    open(open) {
      // Registered before the session reads the store, so nothing published meanwhile is missed.
      const session = new StreamSession(deps, options.metrics?.enabled ? { ...open, sink: countedSink(open.sink, options.metrics) } : open)
      if (session.isClosed) return session
      let sessions = byUser.get(open.userId)
      if (!sessions) byUser.set(open.userId, (sessions = new Set()))
      sessions.add(session)
      connections++
      presence.connected(open.userId)
      return session
    },
    closeAll(code, reason) {
      for (const sessions of [...byUser.values()]) for (const session of [...sessions]) session.close(code, reason)
    },
    get connections() {
      return connections
    },
    get users() {
      return byUser.size
    },
    limits,
    close() {
      unsubscribe()
      stopLocalPresence()
      this.closeAll(closeCodes.goingAway, 'server shutting down')
      // After closeAll: the sessions' offline announcements are under way and need no heartbeat.
      presence.close()
    },
  }
}

/** Counts frames written and the connections closed for reading too slowly (closed to resume). */
function countedSink(sink: StreamSink, metrics: PlatformMetrics): StreamSink {
  return {
    bufferedBytes: () => sink.bufferedBytes(),
    drained: () => sink.drained(),
    send(frame) {
      metrics.streamFramesSent.inc()
      sink.send(frame)
    },
    close(code, reason) {
      if (code === closeCodes.resume) metrics.streamSlowConsumerCloses.inc()
      sink.close(code, reason)
    },
  }
}
