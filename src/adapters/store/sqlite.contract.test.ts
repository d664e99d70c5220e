import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { storeContract } from '../../ports/store.contract.js'
import { createSqliteStore } from './sqlite.js'

storeContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat4all-store-'))
  const store = await createSqliteStore({ path: join(dir, 'chat4all.db') })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})
