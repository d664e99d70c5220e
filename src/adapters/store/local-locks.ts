/**
 * @module The store's named locks inside one process: what the SQLite store (one process by
 * construction) offers as `LockStore`. Readers–writer per key, served in arrival order.
 */
import type { LockMode, LockStore } from '../../ports/store.js'

interface Waiter {
  readonly mode: LockMode
  readonly grant: () => void
}

interface Entry {
  shared: number
  exclusive: boolean
  readonly queue: Waiter[]
}

export function createLocalLocks(): LockStore {
  const entries = new Map<string, Entry>()

  const fits = (entry: Entry, mode: LockMode) => !entry.exclusive && (mode === 'shared' || entry.shared === 0)
  const take = (entry: Entry, mode: LockMode) => {
    if (mode === 'shared') entry.shared++
    else entry.exclusive = true
  }

  /** Takes the lock when it is free and nobody waits before us (a waiting writer keeps new readers out). */
  const acquireNow = (key: string, mode: LockMode): boolean => {
    const entry = entries.get(key) ?? { shared: 0, exclusive: false, queue: [] }
    if (entry.queue.length > 0 || !fits(entry, mode)) return false
    take(entry, mode)
    entries.set(key, entry)
    return true
  }

  const release = (key: string, mode: LockMode) => {
    const entry = entries.get(key)!
    if (mode === 'shared') entry.shared--
    else entry.exclusive = false
    while (entry.queue.length > 0 && fits(entry, entry.queue[0]!.mode)) {
      const next = entry.queue.shift()!
      take(entry, next.mode)
      next.grant()
    }
    if (entry.shared === 0 && !entry.exclusive && entry.queue.length === 0) entries.delete(key)
  }

  return {
    async withLock(key, work, mode = 'exclusive') {
      if (!acquireNow(key, mode)) {
        // acquireNow failed, so the entry exists: someone holds or waits for the key.
        await new Promise<void>((grant) => entries.get(key)!.queue.push({ mode, grant }))
      }
      try {
        return await work()
      } finally {
        release(key, mode)
      }
    },

    async tryWithLock(key, work, mode = 'exclusive') {
      if (!acquireNow(key, mode)) return undefined
      try {
        return { value: await work() }
      } finally {
        release(key, mode)
      }
    },
  }
}
