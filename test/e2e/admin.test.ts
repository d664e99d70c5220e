/**
 * The admin role and the admin API end to end: the first account is admin, others are refused, dead
 * letters are listed and replayed through the real bus to the group that failed them, and the
 * `chat4all admin` command grants the role from another process sharing the database.
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { OutboxEvent } from '../../src/core/model.js'
import type { DeadLetter } from '../../src/ports/store.js'
import { ApiClient, newUser } from '../support/client.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'
import { eventually, startReceiver } from '../support/receiver.js'

const root = new URL('../../', import.meta.url).pathname
const dataDir = tempDir()
let server: TestPlatform
let alice: Awaited<ReturnType<typeof newUser>>
let bob: Awaited<ReturnType<typeof newUser>>

beforeAll(async () => {
  // Our own data directory, so the CLI below can open the same database.
  server = await startTestPlatform({ CHAT4ALL_DATA_DIR: dataDir.path, CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' })
  alice = await newUser(server.url, 'alice')
  bob = await newUser(server.url, 'bob')
})
afterAll(async () => {
  await server.stop()
  dataDir.remove()
})

/** A dead letter as a consumer group would have kept it. */
function deadLetter(group: string, event: OutboxEvent, at = Date.now()): DeadLetter {
  return { id: randomUUID(), group, event, error: 'Error: the endpoint was down', attempts: 10, at }
}

function memberLeftEvent(): OutboxEvent {
  const at = Date.now()
  return { id: randomUUID(), createdAt: at, event: { type: 'member.left', conversationId: randomUUID(), memberId: randomUUID(), at } }
}

const addDeadLetter = (letter: DeadLetter) => server.platform.ctx.store.addDeadLetter(letter)

describe('the admin role', () => {
  it('goes to the first account registered, and to no other', async () => {
    expect((await alice.get('/v1/me')).body).toMatchObject({ username: alice.username, is_admin: true })
    expect((await bob.get('/v1/me')).body).toMatchObject({ username: bob.username, is_admin: false })
  })

  it('is required by the admin routes: 403 problem+json for others, 401 without a token', async () => {
    for (const reply of [await bob.get('/v1/admin/dead-letters'), await bob.post(`/v1/admin/dead-letters/${randomUUID()}/replay`)]) {
      expect(reply.status).toBe(403)
      expect(reply.headers.get('content-type')).toContain('application/problem+json')
      expect(reply.body).toMatchObject({ status: 403, code: 'admin_required', type: 'https://chat4all.dev/problems/admin_required' })
    }
    expect((await new ApiClient(server.url).get('/v1/admin/dead-letters')).status).toBe(401)
  })
})

describe('dead letters', () => {
  it('lists them newest first, by group, in pages', async () => {
    const empty = await alice.get('/v1/admin/dead-letters')
    expect(empty.status).toBe(200)
    expect(empty.body).toEqual({ dead_letters: [], pagination: { limit: 50, returned: 0, has_more: false, next_cursor: null } })

    const t0 = Date.now()
    const letters = [deadLetter('router', memberLeftEvent(), t0), deadLetter('fanout', memberLeftEvent(), t0 + 1), deadLetter('router', memberLeftEvent(), t0 + 2)]
    for (const letter of letters) await addDeadLetter(letter)

    const all = await alice.get('/v1/admin/dead-letters')
    expect(all.body.dead_letters.map((l: { id: string }) => l.id)).toEqual(letters.map((l) => l.id).reverse())
    const newest = letters[2]!
    expect(all.body.dead_letters[0]).toEqual({
      id: newest.id,
      group: 'router',
      event_id: newest.event.id,
      event_type: 'member.left',
      conversation_id: newest.event.event.conversationId,
      event: {
        id: newest.event.id,
        type: 'member.left',
        created_at: new Date(newest.event.createdAt).toISOString(),
        data: {
          conversation_id: newest.event.event.conversationId,
          member_id: (newest.event.event as { memberId: string }).memberId,
          at: new Date(newest.event.createdAt).toISOString(),
        },
      },
      error: 'Error: the endpoint was down',
      attempts: 10,
      at: new Date(t0 + 2).toISOString(),
    })

    const first = await alice.get('/v1/admin/dead-letters?limit=2')
    expect(first.body.pagination).toEqual({ limit: 2, returned: 2, has_more: true, next_cursor: letters[1]!.id })
    const second = await alice.get(`/v1/admin/dead-letters?limit=2&before=${first.body.pagination.next_cursor}`)
    expect(second.body.dead_letters.map((l: { id: string }) => l.id)).toEqual([letters[0]!.id])
    expect(second.body.pagination).toMatchObject({ returned: 1, has_more: false, next_cursor: null })

    const routers = await alice.get('/v1/admin/dead-letters?group=router')
    expect(routers.body.dead_letters.map((l: { id: string }) => l.id)).toEqual([letters[2]!.id, letters[0]!.id])

    const invalid = await alice.get('/v1/admin/dead-letters?limit=0')
    expect(invalid.status).toBe(400)
    expect(invalid.body).toMatchObject({ code: 'validation_failed', field: 'querystring.limit' })
  })

  it('replays one through the group that failed it: a webhook endpoint gets the event again, under the replay id', async () => {
    const hooks = await startReceiver()
    onTestFinished(() => hooks.close())
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const conversationId = created.body.conversation_id as string
    await alice.post('/v1/webhooks', { url: hooks.url, events: ['message.created'] })
    const payload = { type: 'text', text: 'worth sending twice' }
    const sent = await bob.post('/v1/messages', { conversation_id: conversationId, payload })
    expect(sent.status).toBe(202)
    const [original] = await eventually('the first delivery', () => (hooks.delivered().length >= 1 ? hooks.delivered() : undefined))

    // As if the webhooks group had given up on this event instead of delivering it.
    const letter = deadLetter('webhooks', {
      id: original!.json.id,
      createdAt: Date.parse(sent.body.created_at),
      event: {
        type: 'message.created',
        messageId: sent.body.message_id,
        conversationId,
        seq: sent.body.seq,
        senderId: bob.userId,
        payload: { type: 'text', text: payload.text },
        metadata: null,
        createdAt: Date.parse(sent.body.created_at),
      },
    })
    await addDeadLetter(letter)

    const replay = await alice.post(`/v1/admin/dead-letters/${letter.id}/replay`)
    expect(replay.status).toBe(202)
    expect(replay.body).toEqual({ status: 'queued', replay_event_id: expect.stringMatching(new RegExp(`^${original!.json.id}~replay~.+`)) })
    const again = await eventually('the replayed delivery', () =>
      hooks.delivered().find((request) => request.json.id === replay.body.replay_event_id),
    )
    expect(again.json).toEqual({ ...original!.json, id: replay.body.replay_event_id })

    const listed = await alice.get('/v1/admin/dead-letters?group=webhooks')
    expect(listed.body.dead_letters.map((l: { id: string }) => l.id)).not.toContain(letter.id)
    const twice = await alice.post(`/v1/admin/dead-letters/${letter.id}/replay`)
    expect(twice.status).toBe(404)
    expect(twice.headers.get('content-type')).toContain('application/problem+json')
    expect(twice.body).toMatchObject({ code: 'dead_letter_not_found' })
  })
})

describe('chat4all admin', () => {
  const execute = promisify(execFile)
  /** Runs the CLI as its own process on the platform's data directory, as an operator would. */
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CHAT4ALL_')))
    try {
      const { stdout, stderr } = await execute(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], {
        cwd: root,
        env: { ...env, CHAT4ALL_DATA_DIR: dataDir.path, CHAT4ALL_LOG_LEVEL: 'warn' },
      })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string }
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
    }
  }

  it('grants and revokes the role of a user, who can then use the admin routes or not', async () => {
    expect((await bob.get('/v1/admin/dead-letters')).status).toBe(403)
    const granted = await cli('admin', 'grant', bob.username)
    expect(granted, granted.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining(`${bob.username} is now an admin`) })
    expect((await bob.get('/v1/admin/dead-letters')).status).toBe(200)
    expect((await bob.get('/v1/me')).body.is_admin).toBe(true)

    const revoked = await cli('admin', 'revoke', bob.username)
    expect(revoked, revoked.stderr).toMatchObject({ code: 0 })
    expect((await bob.get('/v1/admin/dead-letters')).status).toBe(403)

    const unknown = await cli('admin', 'grant', 'nobody-by-that-name')
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("No user 'nobody-by-that-name'") })
  })
})
