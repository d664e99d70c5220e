/**
 * @module The open-loop clock: fires `total` sends at fixed intervals from a start a few ms ahead,
 * catching up at once when the process fell behind, so the offered rate never bends to the
 * server's answers (no coordinated omission). Resolves with the start time once every send fired.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export async function fireOnSchedule(total: number, intervalMs: number, fire: (index: number, dueAt: number) => void): Promise<number> {
  const start = performance.now() + 5
  let next = 0
  while (next < total) {
    const now = performance.now()
    while (next < total && start + next * intervalMs <= now) {
      fire(next, start + next * intervalMs)
      next++
    }
    await sleep(Math.max(0, Math.min(start + next * intervalMs - performance.now(), 1)))
  }
  return start
}
