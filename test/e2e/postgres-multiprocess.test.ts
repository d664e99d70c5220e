/**
 * Two server processes on different ports share one PostgreSQL database: both accept sends into the
 * same conversation, and the conversation still has one gap-free order.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { spawnServer, tempDir, type ServerProcess } from '../support/platform.js'
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js'

const available = await postgresAvailable()
const schema = uniqueSchema('c4a_e2e')
const servers: ServerProcess[] = []
const dirs = [tempDir(), tempDir()]

describe.skipIf(!available)('PostgreSQL, two server processes', () => {
  beforeAll(async () => {
    const db = `${postgresUrl}?schema=${schema}`
    // Both start at once: migrations must be safe under concurrency.
    servers.push(
      ...(await Promise.all(
        dirs.map((dir) =>
          spawnServer({ CHAT4ALL_DB: db, CHAT4ALL_PORT: '0', CHAT4ALL_DATA_DIR: dir.path, CHAT4ALL_JWT_SECRET: 's'.repeat(48) }),
        ),
      )),
    )
  })

  afterAll(async () => {
    for (const server of servers) {
      server.child.kill('SIGTERM')
      expect(await server.exited, 'a clean SIGTERM shutdown').toBe(0)
    }
    for (const dir of dirs) dir.remove()
    await dropSchema(schema)
  })

  it('gives gap-free seqs to sends accepted by either process', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess]
    const alice = await newUser(one.url, 'alice')
    const bob = await newUser(one.url, 'bob')
    const conversation = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const id = conversation.body.conversation_id as string
    // The same token works on both processes: they share the secret and the database.
    const clients = [alice, bob, new ApiClient(two.url, alice.token), new ApiClient(two.url, bob.token)]
    const replies = await Promise.all(
      clients.flatMap((client, c) =>
        Array.from({ length: 150 }, (_, i) =>
          client.post('/v1/messages', { message_id: randomUUID(), conversation_id: id, payload: { type: 'text', text: `${c}:${i}` } }),
        ),
      ),
    )
    expect(replies.map((r) => r.status).filter((s) => s !== 202)).toEqual([])
    const seqs = replies.map((r) => r.body.seq as number).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i + 1))

    // Both processes read the same history, in the same order.
    const fromOne = await alice.get(`/v1/conversations/${id}/messages?after_seq=0&limit=200`)
    const fromTwo = await new ApiClient(two.url, bob.token).get(`/v1/conversations/${id}/messages?after_seq=0&limit=200`)
    expect(fromTwo.body.messages.map((m: { message_id: string }) => m.message_id)).toEqual(
      fromOne.body.messages.map((m: { message_id: string }) => m.message_id),
    )
  })

  it('keeps one message per id when retries race across processes', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess]
    const alice = await newUser(one.url, 'carol')
    const bob = await newUser(two.url, 'dan')
    const conversation = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const body = { message_id: randomUUID(), conversation_id: conversation.body.conversation_id, payload: { type: 'text', text: 'x' } }
    const onTwo = new ApiClient(two.url, alice.token)
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? alice : onTwo).post('/v1/messages', body)))
    expect(replies.filter((r) => r.status === 202)).toHaveLength(1)
    expect(replies.filter((r) => r.status === 200)).toHaveLength(49)
    const history = await bob.get(`/v1/conversations/${conversation.body.conversation_id}/messages`)
    expect(history.body.messages).toHaveLength(1)
  })
})
