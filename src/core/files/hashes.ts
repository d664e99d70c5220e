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
  /** The entry each continued hash was copied from, so a commit can tell it went stale meanwhile. */
  private readonly bases = new WeakMap<Hash, Running>()

  constructor(private readonly maxEntries = 10_000) {}

  /**
   * A hash to continue with bytes starting at `offset`, or undefined when this process did not
   * see every byte before it. Bytes rewritten below what was hashed make the hash worthless.
   */
  continueAt(id: string, offset: number): Hash | undefined {
    const entry = this.entries.get(id)
    // Rewriting bytes the hash covers (chunk 0 included) makes it worthless, whether or not the
    // rewrite succeeds: a failed one may have left some of its bytes behind.
    if (entry && offset < entry.offset) this.entries.delete(id)
    if (offset === 0) return createHash('sha256')
    if (entry?.offset !== offset) return undefined
    const copy = entry.hash.copy()
    this.bases.set(copy, entry)
    return copy
  }

  /**
   * Records that `hash` covers [0, offset). The caller keeps no reference to it. A hash continued
   * from an entry that has since been replaced or dropped (bytes below it were rewritten
   * concurrently) is stale and is not recorded.
   */
  commit(id: string, offset: number, hash: Hash): void {
    const base = this.bases.get(hash)
    if (base && this.entries.get(id) !== base) return
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

  /** True while some request holds `id`. */
  isHeld(id: string): boolean {
    return this.held.has(id)
  }

  /** True while some request holds a lock named `prefix…`. */
  anyHeldWithPrefix(prefix: string): boolean {
    for (const id of this.held.keys()) if (id.startsWith(prefix)) return true
    return false
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
