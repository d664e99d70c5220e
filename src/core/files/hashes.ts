/**
 * @module Per-process upload bookkeeping that is only an optimisation: running SHA-256 states, so
 * an upload received in order is hashed while it streams instead of read back at the end, and
 * in-process locks. Nothing here is needed for correctness across processes or restarts — a
 * missing hash means one read-back at completion, and the store's compare-and-set guards offsets.
 */
import { createHash, type Hash } from 'node:crypto'

interface Running {
  /** The hash covers bytes [0, offset) of the upload as stored. */
  readonly offset: number
  readonly hash: Hash
}

export class RunningHashes {
  private readonly entries = new Map<string, Running>()

  constructor(private readonly maxEntries = 10_000) {}

  /**
   * A hash to continue with bytes starting at `offset`, or undefined when this process did not
   * see every byte before it. Bytes rewritten below what was hashed make the hash worthless.
   */
  continueAt(id: string, offset: number): Hash | undefined {
    if (offset === 0) return createHash('sha256')
    const entry = this.entries.get(id)
    if (entry && offset < entry.offset) this.entries.delete(id)
    return entry?.offset === offset ? entry.hash.copy() : undefined
  }

  /** Records that `hash` covers [0, offset). The caller keeps no reference to it. */
  commit(id: string, offset: number, hash: Hash): void {
    this.entries.delete(id)
    this.entries.set(id, { offset, hash })
    // Oldest first: an upload abandoned long ago goes before one in progress.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
  }

  /** Hex SHA-256 when the hash covers exactly `size` bytes. */
  digest(id: string, size: number): string | undefined {
    const entry = this.entries.get(id)
    return entry?.offset === size ? entry.hash.copy().digest('hex') : undefined
  }

  forget(id: string): void {
    this.entries.delete(id)
  }
}

/** Named in-process locks: `tryLock` refuses when taken, `withLock` waits its turn. */
export class UploadLocks {
  private readonly held = new Map<string, Promise<void>>()

  tryLock(id: string): (() => void) | undefined {
    if (this.held.has(id)) return undefined
    let release = () => {}
    this.held.set(id, new Promise<void>((resolve) => (release = resolve)))
    return () => {
      this.held.delete(id)
      release()
    }
  }

  async withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    let release: (() => void) | undefined
    while (!(release = this.tryLock(id))) await this.held.get(id)
    try {
      return await work()
    } finally {
      release()
    }
  }
}
