/**
 * @module Moves SQLite's WAL checkpoints off the event loop. By default SQLite checkpoints inside
 * the COMMIT that crosses the threshold, copying pages and fsyncing on the thread that serves
 * requests; measured under load that was a sixth of the thread's time. Here a worker thread with
 * its own connection checkpoints (PASSIVE: never blocks writers or readers) a few times a second.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

// Plain CommonJS evaluated in the worker, so it runs the same under tsx, vitest or compiled code.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 1000')
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch (error) { parentPort.postMessage({ error: String(error) }) }
}
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint()
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  /** Called after each write: starts the worker if it is not running. Costs nothing when it is. */
  wrote(): void
  /** Runs a last checkpoint and ends the worker. */
  stop(): Promise<void>
  /** True while the worker thread runs. */
  readonly running: boolean
}

export interface CheckpointerOptions {
  readonly intervalMs?: number
  /** With no write for this long, the worker checkpoints a last time and ends (idle memory). */
  readonly idleMs?: number
  /** Writes that start the worker: a few (a start-up's migrations check) leave the WAL small. */
  readonly startAfterWrites?: number
  readonly onError?: (message: string) => void
}

/**
 * The worker runs only while the database is being written: a thread costs about 11 MB of
 * resident memory, which an idle server does not need to hold. Until it starts (after a few
 * writes) the WAL just grows by those few; SQLite checkpoints what is left when the last
 * connection closes.
 */
export function startCheckpointer(path: string, options: CheckpointerOptions = {}): Checkpointer {
  const { intervalMs = 250, idleMs = 5_000, startAfterWrites = 64, onError = () => {} } = options
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  let running: { worker: Worker; exited: Promise<void> } | undefined
  let lastWriteAt = 0
  let writesWithoutWorker = 0
  let idleTimer: NodeJS.Timeout | undefined

  const end = async () => {
    const current = running
    if (!current) return
    running = undefined
    clearInterval(idleTimer)
    // Held again while it finishes, or a process with nothing else to do would exit mid-checkpoint.
    current.worker.ref()
    current.worker.postMessage('stop')
    await current.exited
  }

  const start = () => {
    const worker = new Worker(workerSource, { eval: true, workerData: { path, driver, intervalMs } })
    worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(message.error)
    })
    worker.on('error', (error) => onError(String(error)))
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    // The worker must not keep a process alive that has nothing else to do.
    worker.unref()
    running = { worker, exited }
    idleTimer = setInterval(() => {
      if (Date.now() - lastWriteAt >= idleMs) void end()
    }, Math.max(intervalMs, Math.floor(idleMs / 2)))
    idleTimer.unref()
  }

  return {
    wrote() {
      lastWriteAt = Date.now()
      if (!running && ++writesWithoutWorker >= startAfterWrites) {
        writesWithoutWorker = 0
        start()
      }
    },
    stop: end,
    get running() {
      return running !== undefined
    },
  }
}
