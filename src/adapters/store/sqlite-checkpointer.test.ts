import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { startCheckpointer } from './sqlite-checkpointer.js'

const eventually = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('SQLite checkpointer', () => {
  const dirs: string[] = []
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

  it('runs its thread only while the database is written, and checkpoints the WAL meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat4all-ckpt-'))
    dirs.push(dir)
    const path = join(dir, 'db.sqlite')
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('wal_autocheckpoint = 0')
    db.exec('CREATE TABLE t (x INTEGER)')
    const checkpointer = startCheckpointer(path, { intervalMs: 20, idleMs: 300, startAfterWrites: 3 })
    const write = () => {
      db.prepare('INSERT INTO t (x) VALUES (1)').run()
      checkpointer.wrote()
    }
    write()
    write()
    expect(checkpointer.running, 'a few writes do not start it').toBe(false)
    write()
    expect(checkpointer.running).toBe(true)
    // While writes go on, the worker copies the WAL into the database: a PASSIVE checkpoint from
    // here then finds every frame already checkpointed.
    for (let i = 0; i < 50; i++) write()
    await eventually(() => {
      const [state] = db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[]
      return state !== undefined && state.log > 0 && state.checkpointed === state.log
    }, 'the worker checkpointed the WAL')
    await eventually(() => !checkpointer.running, 'it ends once writes stop')
    write()
    write()
    write()
    expect(checkpointer.running, 'more writes start it again').toBe(true)
    await checkpointer.stop()
    expect(checkpointer.running).toBe(false)
    db.close()
  })
})
