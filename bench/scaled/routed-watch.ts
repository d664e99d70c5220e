/**
 * @module When each message's receipt appeared, by polling `receipts` every 50 ms. Per conversation
 * the router writes receipts in seq order, so the highest routed seq is a watermark: every seq up to
 * it is stamped with the poll that first saw it. A conversation whose receipt count differs from its
 * highest seq had a gap at that moment (out of order or missing); those are counted, not hidden.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Deployment } from './cluster.js'

export interface RoutedWatch {
  /** performance.now() of the poll that first saw (conversation, seq) routed; undefined if not yet. */
  routedAt(conversationId: string, seq: number): number | undefined
  /** Receipts seen by the last poll. */
  routed(): number
  /** Polls that saw a conversation with a gap below its highest routed seq. */
  gaps(): number
  stop(): Promise<void>
}

interface Row {
  readonly conversation_id: string
  readonly max: string
  readonly n: string
}

export function watchRouted(d: Deployment, memberId: string, intervalMs = 50): RoutedWatch {
  const stamps = new Map<string, number[]>()
  let total = 0
  let gaps = 0
  let running = true
  const loop = (async () => {
    while (running) {
      // The query's snapshot is taken as it starts: what it sees was committed before this instant.
      const at = performance.now()
      const rows = await d.query<Row>(
        'SELECT conversation_id, MAX(seq) AS max, COUNT(*) AS n FROM receipts WHERE member_id = $1 GROUP BY conversation_id',
        [memberId],
      )
      let seen = 0
      for (const row of rows) {
        const max = Number(row.max)
        const n = Number(row.n)
        seen += n
        if (n !== max) gaps++
        const list = stamps.get(row.conversation_id) ?? []
        for (let seq = list.length + 1; seq <= max; seq++) list[seq - 1] = at
        stamps.set(row.conversation_id, list)
      }
      total = seen
      await sleep(Math.max(0, intervalMs - (performance.now() - at)))
    }
  })()
  return {
    routedAt: (conversationId, seq) => stamps.get(conversationId)?.[seq - 1],
    routed: () => total,
    gaps: () => gaps,
    async stop() {
      running = false
      await loop
    },
  }
}
