/**
 * @module The operators' summary (GET /v1/admin/stats): the platform's size from the store, and what
 * this process knows of itself. Several processes each answer for themselves; Prometheus, which
 * scrapes them all, is the view across processes (docs/operations.md).
 */
import { requireAdmin } from './admin.js'
import type { CoreContext } from './context.js'

/** What one process reports about itself; supplied by the composition root. */
export interface ProcessStatus {
  readonly id: string
  readonly roles: readonly string[]
  readonly startedAt: number
  readonly connectedClients: number
  /** Messages this process accepted in the last minute; null when metrics are off (nothing counts them). */
  readonly messagesLastMinute: number | null
  readonly residentBytes: number
}

export interface PlatformStats {
  readonly users: number
  readonly conversations: number
  readonly deadLetters: number
  readonly outboxDepth: number
  /** Age of the oldest event waiting in the outbox, 0 when it is empty. */
  readonly outboxOldestAgeMs: number
  readonly process: ProcessStatus
}

export async function platformStats(
  ctx: Pick<CoreContext, 'store' | 'now'>,
  callerId: string,
  processStatus: () => ProcessStatus,
): Promise<PlatformStats> {
  await requireAdmin(ctx, callerId)
  const [counts, backlog] = await Promise.all([ctx.store.platformCounts(), ctx.store.outboxBacklog()])
  return {
    ...counts,
    outboxDepth: backlog.depth,
    outboxOldestAgeMs: backlog.oldestCreatedAt === undefined ? 0 : Math.max(0, ctx.now() - backlog.oldestCreatedAt),
    process: processStatus(),
  }
}
