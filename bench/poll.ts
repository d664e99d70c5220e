/** @module Polls until a condition holds, and fails saying what it waited for. */
import { setTimeout as sleep } from 'node:timers/promises'

/** Calls `check` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (performance.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting until ${what}`)
    await sleep(intervalMs)
  }
}
