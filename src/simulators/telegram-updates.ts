/**
 * @module The updates a simulated bot has for `getUpdates`: queued until confirmed by a later
 * offset, with long polling that answers as soon as one arrives or the wait is over.
 */
import { pause } from '../core/pause.js'

export function createUpdateQueue(stopping: AbortSignal) {
  let pending: Record<string, unknown>[] = []
  let wake = new AbortController()

  return {
    push(update: Record<string, unknown>): void {
      pending.push(update)
      wake.abort()
      wake = new AbortController()
    },
    /** Confirms every update below `offset`, then returns those left, waiting up to `timeoutSeconds` for one. */
    async take(offset: number | undefined, timeoutSeconds: number, limit: number): Promise<Record<string, unknown>[]> {
      if (offset !== undefined) pending = pending.filter((u) => Number(u['update_id']) >= offset)
      if (pending.length === 0 && timeoutSeconds > 0) {
        await pause(Math.min(timeoutSeconds, 50) * 1000, AbortSignal.any([wake.signal, stopping]))
      }
      return pending.slice(0, limit)
    },
    get size(): number {
      return pending.length
    },
  }
}
