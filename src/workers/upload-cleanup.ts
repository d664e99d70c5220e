/**
 * @module Deletes uploads that expired before completion, with their bytes, and sweeps the blob
 * store's own leftovers (writes cut short by a crash). Every process may run it: deletions are
 * idempotent, and an upload being written to in this process is left for the next round.
 */
import type { Logger } from 'pino'
import { expireUploads } from '../core/files/cleanup.js'
import type { FilesContext } from '../core/files/context.js'
import { pause, type Service } from './service.js'

export interface UploadCleanupOptions {
  readonly fx: FilesContext
  readonly logger: Logger
  readonly intervalMs: number
}

export function createUploadCleanup({ fx, logger, intervalMs }: UploadCleanupOptions): Service {
  return {
    name: 'upload-cleanup',
    async run(signal) {
      while (!signal.aborted) {
        try {
          const expired = await expireUploads(fx)
          // Leftovers older than any upload could live are nobody's.
          const swept = await fx.blobs.sweep(fx.now() - fx.files.uploadExpiryMs - 3_600_000)
          if (expired + swept > 0) logger.info({ expired, swept }, 'removed expired uploads')
        } catch (error) {
          logger.error({ err: error }, 'upload cleanup failed; retrying at the next interval')
        }
        await pause(intervalMs, signal)
      }
    },
  }
}
