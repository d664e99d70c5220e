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
  /** Runs a last checkpoint and ends the worker. */
  stop(): Promise<void>
}

export function startCheckpointer(path: string, intervalMs = 250, onError: (message: string) => void = () => {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(workerSource, { eval: true, workerData: { path, driver, intervalMs } })
  worker.on('message', (message: { error?: string }) => {
    if (message.error) onError(message.error)
  })
  worker.on('error', (error) => onError(String(error)))
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  // The worker must not keep a process alive that has nothing else to do.
  worker.unref()
  return {
    stop: async () => {
      // Held again while it finishes, or a process with nothing else to do would exit mid-checkpoint.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
