/**
 * @module Group commit: concurrent appends are gathered for one event-loop turn and written in one
 * transaction. One transaction per batch instead of per message is what lets a single process
 * accept tens of thousands of durable messages per second (see bench/).
 */

export interface BatcherOptions<I, O> {
  /** Writes a whole batch atomically and returns one result per input, in order. */
  readonly writeBatch: (inputs: readonly I[]) => Promise<O[]>
  /** Writes one input on its own; used to isolate the culprit when a batch fails. */
  readonly writeOne: (input: I) => Promise<O>
  readonly maxBatch: number
  /** How many batches may be in flight at once (1 for SQLite's single writer). */
  readonly concurrency: number
}

interface Pending<I, O> {
  readonly input: I
  readonly resolve: (value: O) => void
  readonly reject: (error: unknown) => void
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): (input: I) => Promise<O> {
  let queue: Pending<I, O>[] = []
  let inFlight = 0
  let scheduled = false

  const schedule = () => {
    if (scheduled || inFlight >= options.concurrency || queue.length === 0) return
    scheduled = true
    setImmediate(flush)
  }

  const flush = () => {
    scheduled = false
    const batch = queue.slice(0, options.maxBatch)
    queue = queue.slice(batch.length)
    inFlight++
    void write(batch).finally(() => {
      inFlight--
      schedule()
    })
    schedule()
  }

  const write = async (batch: Pending<I, O>[]) => {
    try {
      const results = await options.writeBatch(batch.map((p) => p.input))
      batch.forEach((p, i) => p.resolve(results[i]!))
    } catch {
      // One bad input must not fail its neighbours: retry each alone so only it sees its error.
      for (const p of batch) await options.writeOne(p.input).then(p.resolve, p.reject)
    }
  }

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject })
      schedule()
    })
}
