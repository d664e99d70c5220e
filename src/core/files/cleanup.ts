/** @module Expiry: uploads not completed in time are deleted with every byte they left behind. */
import type { FilesContext } from './context.js'
import { uploadLockOf } from './upload-lock.js'
import { discardUpload } from './uploads.js'

/** Deletes uploads past their expiry, in batches; returns how many. */
export async function expireUploads(fx: FilesContext, batchSize = 100): Promise<number> {
  let removed = 0
  for (;;) {
    const expired = await fx.store.listExpiredUploads(fx.now(), batchSize)
    const before = removed
    for (const record of expired) {
      // Skip an upload a request of this process is writing to right now; the next round takes it.
      const release = fx.locks.tryLock(record.id)
      if (!release) continue
      if (fx.locks.anyHeldWithPrefix(`${record.id}#`)) {
        release() // a chunk is being written
        continue
      }
      try {
        // And in every process: a chunk being written elsewhere holds the store lock shared.
        if (await fx.store.tryWithLock(uploadLockOf(record.id), () => discardUpload(fx, record))) removed++
      } finally {
        release()
      }
    }
    if (expired.length < batchSize || removed === before) return removed
  }
}
