import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { storeContract } from '../../ports/store.contract.js'
import { createSqliteWorkerStore } from './worker/client.js'

// The same SQLite store, reached through its worker thread: every call crosses a message port.
storeContract('sqlite (worker thread)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat4all-store-'))
  const store = await createSqliteWorkerStore({ path: join(dir, 'chat4all.db') })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})
