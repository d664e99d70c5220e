/**
 * @module Pacing under a platform's sending limits: a burst is queued and let out at the allowed
 * rate instead of being refused by the platform. Each limit is a generic cell rate (GCRA): a key
 * (the account, or one recipient of it) has a theoretical next free instant, and a send reserves
 * its slot under every limit that applies at once, so reservations are served in call order.
 */

export interface PaceRule {
  /** Sends per second allowed under this key. */
  readonly perSecond: number
  /** Sends allowed back to back before pacing starts; 1 unless set. */
  readonly burst?: number
}

export interface PacerOptions {
  /** Epoch milliseconds. */
  readonly now: () => number
}

export interface Pacer {
  /**
   * Reserves the next slot free under every (key, rule) pair and returns how long to wait for it,
   * in milliseconds (0: go now). The slot is taken when this returns: callers must then wait it.
   */
  reserve(limits: readonly (readonly [key: string, rule: PaceRule])[]): number
}

/** Forget keys idle this long: recipients come and go, the map must not grow forever. */
const IDLE_PRUNE_MS = 60_000

export function createPacer(options: PacerOptions): Pacer {
  /** Per key: the theoretical arrival time of the next send (GCRA's TAT). */
  const nextFree = new Map<string, number>()
  let lastPrune = options.now()

  const prune = (now: number) => {
    if (now - lastPrune < IDLE_PRUNE_MS) return
    lastPrune = now
    for (const [key, at] of nextFree) if (at < now - IDLE_PRUNE_MS) nextFree.delete(key)
  }

  return {
    reserve(limits) {
      const now = options.now()
      prune(now)
      let start = now
      for (const [key, rule] of limits) {
        const interval = 1000 / rule.perSecond
        const tolerance = interval * ((rule.burst ?? 1) - 1)
        start = Math.max(start, (nextFree.get(key) ?? now) - tolerance)
      }
      for (const [key, rule] of limits) {
        const interval = 1000 / rule.perSecond
        nextFree.set(key, Math.max(nextFree.get(key) ?? now, start) + interval)
      }
      return Math.max(0, Math.ceil(start - now))
    },
  }
}
