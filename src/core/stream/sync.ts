/**
 * @module The start of a stream: replays, per conversation, what the client lacks, from its
 * position (or the member's delivered watermark) to the end, then the members' watermarks, then
 * says it is live. Runs as the session's first task, so live events wait behind it in order.
 */
import type { Membership, Store } from '../../ports/store.js'
import type { StreamFrame } from './frames.js'
import { messageCreated, type MessageCreated, type PresenceEvent } from './live-event.js'

/**
 * What the replay needs of a stream session. Declared here rather than imported from session.ts,
 * which imports this module: StreamSession implements it.
 */
export interface SyncSession {
  readonly userId: string
  readonly isClosed: boolean
  /** Per conversation, the seq of the last message sent; the replay reads and moves it. */
  readonly positions: Map<string, number>
  readonly touched: Set<string>
  readonly requestedPositions: ReadonlyMap<string, number>
  readonly sessionDeps: {
    readonly store: Pick<Store, 'listMessages' | 'listMemberships' | 'listMembers'>
    readonly limits: { readonly replayLimit: number; readonly replayPageSize: number }
    readonly presenceSnapshot: (userId: string) => Promise<readonly PresenceEvent[]>
  }
  send(frame: StreamFrame): void
  sendMessage(event: MessageCreated): void
  backpressure(): Promise<void>
}

type Plan = { readonly start: number } | { readonly reset: 'too_old' | 'position_ahead' }

/** Where the replay of one conversation starts, or why it does not. */
function startOf(membership: Membership, requested: number | undefined, replayLimit: number): Plan {
  const floor = membership.joinedAfterSeq
  if (requested !== undefined && requested > membership.lastSeq) return { reset: 'position_ahead' }
  const start = Math.max(floor, requested ?? membership.deliveredUpToSeq)
  if (membership.lastSeq - start > replayLimit) return { reset: 'too_old' }
  return { start }
}

/**
 * Sends the stored messages after the session's position, up to `upToSeq`, page by page, waiting
 * for a slow client between pages. Returns how many it sent.
 */
export async function replay(session: SyncSession, conversationId: string, upToSeq = Number.MAX_SAFE_INTEGER): Promise<number> {
  const { store, limits } = session.sessionDeps
  let sent = 0
  while (!session.isClosed) {
    const afterSeq = session.positions.get(conversationId) ?? 0
    if (afterSeq >= upToSeq) break
    const limit = Math.min(limits.replayPageSize, upToSeq - afterSeq)
    const page = await store.listMessages(conversationId, { afterSeq, limit })
    const before = sent
    for (const message of page.messages) {
      if (message.seq > upToSeq || message.seq !== (session.positions.get(conversationId) ?? 0) + 1) continue
      session.sendMessage(messageCreated(message))
      sent++
    }
    // Seqs are gap-free, so a page that moved nothing means there is nothing more to move.
    if (!page.hasMore || sent === before) break
    await session.backpressure()
  }
  return sent
}

export async function syncFromStore(session: SyncSession): Promise<void> {
  const { store, limits } = session.sessionDeps
  const requested = session.requestedPositions
  const memberships = await store.listMemberships(session.userId)
  const mine = new Set(memberships.map((m) => m.conversationId))
  for (const [conversationId, seq] of requested) {
    if (!mine.has(conversationId)) session.send({ kind: 'reset', conversationId, seq, reason: 'not_a_member' })
  }
  // Every position is known before anything is sent, so live events queued meanwhile compare right.
  const plans = memberships.map((m) => ({ m, plan: startOf(m, requested.get(m.conversationId), limits.replayLimit) }))
  for (const { m, plan } of plans) session.positions.set(m.conversationId, 'start' in plan ? plan.start : m.lastSeq)
  let replayed = 0
  for (const { m, plan } of plans) {
    if (session.isClosed) return
    const id = m.conversationId
    let sent = 0
    if ('reset' in plan) {
      session.touched.add(id)
      session.send({ kind: 'reset', conversationId: id, seq: m.lastSeq, reason: plan.reset })
    } else if (m.lastSeq > plan.start) {
      sent = await replay(session, id)
      replayed += sent
    }
    // Status changes are state, not history: the watermarks now stand for every change missed.
    if (requested.has(id) || sent > 0) {
      session.touched.add(id)
      session.send({ kind: 'receipts', conversationId: id, members: await store.listMembers(id) })
    }
  }
  session.send({ kind: 'ready', replayed })
  for (const presence of await session.sessionDeps.presenceSnapshot(session.userId)) {
    session.send({ kind: 'event', event: presence })
  }
}
