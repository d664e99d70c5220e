/**
 * The store contract on PostgreSQL, plus what only a shared server can show: several processes
 * (here, several stores with their own pools on one schema) migrating, appending and relaying at once.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NewUser, OutboxEvent } from '../../core/model.js'
import type { Store } from '../../ports/store.js'
import { storeContract } from '../../ports/store.contract.js'
import { createGroup, ids, messageOf, newMessage, newUser, range, sendMany } from '../../ports/store-contract/harness.js'
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../../../test/support/postgres.js'
import { createPostgresStore } from './postgres.js'
import { postgresMigrations } from './sql/migrations.js'

const available = await postgresAvailable()

async function migrationRows(schema: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`)
    return rows.map((r) => r.version)
  } finally {
    await client.end()
  }
}

describe.skipIf(!available)('postgres', () => {
  storeContract('postgres', async () => {
    const schema = uniqueSchema('c4a_contract')
    const store = await createPostgresStore({ url: postgresUrl, schema })
    return {
      store,
      cleanup: async () => {
        await store.close()
        await dropSchema(schema)
      },
    }
  })

  it('migrates a fresh schema once when several processes start at once', async () => {
    const schema = uniqueSchema('c4a_migrate')
    try {
      const stores = await Promise.all(range(4).map(() => createPostgresStore({ url: postgresUrl, schema, poolSize: 2 })))
      try {
        const versions = await migrationRows(schema)
        expect(versions).toEqual(postgresMigrations.map((m) => m.version))
        const user = newUser()
        await stores[0]!.createUser(user)
        expect(await stores[3]!.getUser(user.id)).toEqual({ ...user, isAdmin: true })
      } finally {
        await Promise.all(stores.map((s) => s.close()))
      }
    } finally {
      await dropSchema(schema)
    }
  })

  describe('two processes on one schema', () => {
    const schema = uniqueSchema('c4a_shared')
    let one: Store
    let two: Store
    beforeAll(async () => {
      one = await createPostgresStore({ url: postgresUrl, schema, poolSize: 8 })
      two = await createPostgresStore({ url: postgresUrl, schema, poolSize: 8 })
    })
    afterAll(async () => {
      await Promise.all([one?.close(), two?.close()])
      await dropSchema(schema)
    })

    it('appending into one conversation at once, give gap-free unique seqs', async () => {
      const [a, b] = ids(2)
      const group = await createGroup(one, [a!, b!])
      const results = await Promise.all(
        range(400).map((i) => (i % 2 ? one : two).appendMessage(newMessage(group.id, i % 3 ? a! : b!))),
      )
      expect(results.every((r) => r.kind === 'created')).toBe(true)
      expect(results.map((r) => messageOf(r).seq).sort((x, y) => x - y)).toEqual(range(400))
      const stored = await two.listMessages(group.id, { afterSeq: 0, limit: 1_000 })
      expect(stored.messages.map((m) => m.seq)).toEqual(range(400))
      expect((await one.getConversation(group.id))?.lastSeq).toBe(400)
    })

    it('appending the same message id at once, create it once', async () => {
      const [a] = ids(1)
      const group = await createGroup(one, [a!])
      const message = newMessage(group.id, a!)
      const results = await Promise.all(range(60).map((i) => (i % 2 ? one : two).appendMessage(message)))
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(1)
      expect(results.every((r) => messageOf(r).seq === 1)).toBe(true)
    })

    it('registering the same username or email at once, register each once with the right error', async () => {
      const name = newUser().username
      const sameName = range(6).map((i) => newUser({ username: i % 2 ? name.toUpperCase() : name }))
      const email = newUser().email
      const sameEmail = range(6).map(() => newUser({ email }))
      const codes = async (users: NewUser[]) =>
        (await Promise.allSettled(users.map((u, i) => (i % 2 ? one : two).createUser(u)))).map((o) =>
          o.status === 'fulfilled' ? 'ok' : String((o.reason as { code?: string }).code),
        )
      const [byName, byEmail] = await Promise.all([codes(sameName), codes(sameEmail)])
      expect(byName.filter((c) => c === 'ok')).toHaveLength(1)
      expect(byName.filter((c) => c !== 'ok')).toEqual(Array(5).fill('username_taken'))
      expect(byEmail.filter((c) => c === 'ok')).toHaveLength(1)
      expect(byEmail.filter((c) => c !== 'ok')).toEqual(Array(5).fill('email_taken'))
    })

    it('holding a named lock, keep the other process out until it is released', async () => {
      const key = `lock-${Date.now()}`
      let release = () => {}
      const released = new Promise<void>((resolve) => (release = resolve))
      let held = () => {}
      const holding = new Promise<void>((resolve) => (held = resolve))
      const first = one.withLock(key, async () => {
        held()
        await released
      })
      await holding
      expect(await two.tryWithLock(key, async () => 'taken')).toBeUndefined()
      expect(await two.tryWithLock(key, async () => 'taken', 'shared')).toBeUndefined()
      let secondRan = false
      const second = two.withLock(key, async () => void (secondRan = true))
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(secondRan, 'the other process waits').toBe(false)
      release()
      await Promise.all([first, second])
      expect(secondRan).toBe(true)
      expect(await one.tryWithLock(key, async () => 'free')).toEqual({ value: 'free' })
    })

    it('relaying at once, let one relay drain at a time so events reach the bus in outbox order', async () => {
      await drainBoth(one, two) // start from an empty outbox
      const [a] = ids(1)
      const group = await createGroup(one, [a!])
      await drainBoth(one, two) // the group's conversation.created
      await sendMany(one, group.id, a!, 10)
      let releaseFirst = () => {}
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve))
      let claimed = () => {}
      const firstClaimed = new Promise<void>((resolve) => (claimed = resolve))
      const published: OutboxEvent[] = []
      const first = one.drainOutbox(6, async (events) => {
        claimed()
        await firstHolds
        published.push(...events)
      })
      await firstClaimed
      // The other relay stands by while the first drains: publishing the next events now would
      // put them on the bus ahead of the first batch.
      expect(await two.drainOutbox(6, async (events) => void published.push(...events))).toBe(0)
      releaseFirst()
      expect(await first).toBe(6)
      expect(await two.drainOutbox(6, async (events) => void published.push(...events))).toBe(4)
      const seqs = published.map((e) => (e.event.type === 'message.created' ? e.event.seq : 0))
      expect(seqs).toEqual(range(10))
    })

    it('wakes a relay in another process when this one writes outbox events', async () => {
      let woken = 0
      two.onOutboxWrite(() => void woken++)
      const [a] = ids(1)
      const group = await createGroup(one, [a!])
      const deadline = Date.now() + 5_000
      while (woken === 0 && Date.now() < deadline) {
        await sendMany(one, group.id, a!, 1)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(woken, 'a notice from the other process').toBeGreaterThan(0)
    })

    it('hands the lock to a standby relay when the draining one dies', async () => {
      await drainBoth(one, two)
      const [a] = ids(1)
      const group = await createGroup(one, [a!])
      await sendMany(one, group.id, a!, 3)
      // A relay whose publish fails (its process dying) keeps nothing: the rows stay for the next.
      await expect(one.drainOutbox(10, async () => Promise.reject(new Error('relay died')))).rejects.toThrow('relay died')
      const handed: OutboxEvent[] = []
      expect(await two.drainOutbox(10, async (events) => void handed.push(...events))).toBe(4)
    })
  })
})

async function drainBoth(one: Store, two: Store): Promise<void> {
  while ((await one.drainOutbox(1_000, async () => {})) + (await two.drainOutbox(1_000, async () => {})) > 0) {
    // keep draining
  }
}
