import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

let server: TestPlatform

beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_MAX_GROUP_MEMBERS: '5' })
})
afterAll(() => server.stop())

describe('conversations', () => {
  it('creates a private conversation once per pair, by username or id, in either direction', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const first = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    expect(first.status).toBe(201)
    expect(first.body.members.map((m: { member_id: string }) => m.member_id).sort()).toEqual([alice.userId, bob.userId].sort())
    const again = await alice.post('/v1/conversations', { type: 'private', members: [bob.userId, alice.userId] })
    expect(again.status).toBe(200)
    expect(again.body.conversation_id).toBe(first.body.conversation_id)
    const fromBob = await bob.post('/v1/conversations', { type: 'private', members: [alice.username] })
    expect(fromBob.status).toBe(200)
    expect(fromBob.body.conversation_id).toBe(first.body.conversation_id)
  })

  it('refuses private conversations without exactly one other member, and unknown members', async () => {
    const alice = await newUser(server.url)
    const bob = await newUser(server.url)
    const carol = await newUser(server.url)
    const three = await alice.post('/v1/conversations', { type: 'private', members: [bob.username, carol.username] })
    expect(three.status).toBe(400)
    expect(three.body.field).toBe('members')
    const self = await alice.post('/v1/conversations', { type: 'private', members: [alice.username] })
    expect(self.status).toBe(400)
    const unknown = await alice.post('/v1/conversations', { type: 'group', members: [bob.username, 'no-such-user'] })
    expect(unknown.status).toBe(400)
    expect(unknown.body).toMatchObject({ code: 'unknown_member', field: 'members[1]' })
    const badChannel = await alice.post('/v1/conversations', { type: 'group', members: ['fax:+123'] })
    expect(badChannel.status).toBe(400)
    expect(badChannel.body.field).toBe('members[0]')
    expect((await alice.get('/v1/conversations')).body.conversations).toHaveLength(0)
  })

  it('accepts external channel addresses as members', async () => {
    const alice = await newUser(server.url)
    const created = await alice.post('/v1/conversations', { type: 'private', members: ['whatsapp:+5511999998888'] })
    expect(created.status).toBe(201)
    const external = created.body.members.find((m: { kind: string }) => m.kind === 'external')
    expect(external.member_id).toBe('whatsapp:+5511999998888')
    const group = await alice.post('/v1/conversations', {
      type: 'group',
      title: 'Mixed',
      members: ['instagram:someone', 'telegram:123456789'],
    })
    expect(group.status).toBe(201)
    expect(group.body.members.map((m: { member_id: string }) => m.member_id)).toContain('instagram:@someone')
  })

  it('manages group members with roles, limits and self-removal', async () => {
    const owner = await newUser(server.url)
    const [a, b, c, d, e] = await Promise.all([1, 2, 3, 4, 5].map(() => newUser(server.url)))
    const group = await owner.post('/v1/conversations', { type: 'group', title: 'Team', members: [a!.username] })
    expect(group.status).toBe(201)
    const id = group.body.conversation_id as string
    expect(group.body.members.find((m: { member_id: string }) => m.member_id === owner.userId).role).toBe('owner')

    // A plain member may not add or remove others.
    expect((await a!.post(`/v1/conversations/${id}/members`, { members: [b!.username] })).status).toBe(403)
    const added = await owner.post(`/v1/conversations/${id}/members`, { members: [b!.username, c!.username], role: 'admin' })
    expect(added.status).toBe(201)
    expect(added.body.added).toHaveLength(2)
    // An admin may add; the limit (5 here) is enforced and a refused add writes nothing.
    expect((await b!.post(`/v1/conversations/${id}/members`, { members: [d!.username] })).status).toBe(201)
    const over = await b!.post(`/v1/conversations/${id}/members`, { members: [e!.username] })
    expect(over.status).toBe(409)
    expect(over.body.code).toBe('member_limit_reached')
    expect((await owner.get(`/v1/conversations/${id}`)).body.members).toHaveLength(5)

    expect((await a!.delete(`/v1/conversations/${id}/members/${d!.userId}`)).status).toBe(403)
    expect((await b!.delete(`/v1/conversations/${id}/members/${owner.userId}`)).status).toBe(403)
    expect((await b!.delete(`/v1/conversations/${id}/members/${d!.username}`)).status).toBe(204)
    expect((await a!.delete(`/v1/conversations/${id}/members/${a!.userId}`)).status).toBe(204)
    // Gone members no longer see it.
    expect((await a!.get(`/v1/conversations/${id}`)).status).toBe(404)
    expect((await owner.delete(`/v1/conversations/${id}/members/${a!.userId}`)).status).toBe(404)
  })

  it('hides conversations from non-members (404, never 403)', async () => {
    const alice = await newUser(server.url)
    const bob = await newUser(server.url)
    const eve = await newUser(server.url)
    const conversation = await alice.post('/v1/conversations', { type: 'group', members: [bob.username] })
    const id = conversation.body.conversation_id as string
    for (const reply of [
      await eve.get(`/v1/conversations/${id}`),
      await eve.get(`/v1/conversations/${id}/messages`),
      await eve.post(`/v1/conversations/${id}/members`, { members: [eve.username] }),
      await eve.post('/v1/messages', { conversation_id: id, payload: { type: 'text', text: 'let me in' } }),
      await eve.post(`/v1/conversations/${id}/read`, { up_to_seq: 1 }),
      await eve.get(`/v1/conversations/00000000-0000-4000-8000-000000000000`),
    ]) {
      expect(reply.status).toBe(404)
      expect(reply.body.code).toBe('conversation_not_found')
    }
    expect((await alice.get(`/v1/conversations/${id}/messages`)).body.messages).toHaveLength(0)
  })

  it('lists conversations by recent activity with last message, unread counts and cursor pages', async () => {
    const alice = await newUser(server.url)
    const friends = await Promise.all([0, 1, 2].map(() => newUser(server.url)))
    const ids: string[] = []
    for (const friend of friends) {
      const sent = await friend.post('/v1/messages', { to: alice.username, payload: { type: 'text', text: `hi from ${friend.username}` } })
      expect(sent.status).toBe(202)
      ids.push(sent.body.conversation_id as string)
    }
    // The first friend writes again, so that conversation becomes the most recent.
    await friends[0]!.post('/v1/messages', { conversation_id: ids[0], payload: { type: 'text', text: 'again' } })
    const page1 = await alice.get('/v1/conversations?limit=2')
    expect(page1.body.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([ids[0], ids[2]])
    expect(page1.body.conversations[0].unread_count).toBe(2)
    expect(page1.body.conversations[0].last_message.content).toBe('again')
    expect(page1.body.pagination).toMatchObject({ limit: 2, returned: 2, has_more: true })
    const page2 = await alice.get(`/v1/conversations?limit=2&cursor=${page1.body.pagination.next_cursor}`)
    expect(page2.body.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([ids[1]])
    expect(page2.body.pagination.has_more).toBe(false)

    await alice.post(`/v1/conversations/${ids[0]}/read`, { up_to_seq: 2 })
    const after = await alice.get('/v1/conversations?limit=1')
    expect(after.body.conversations[0].unread_count).toBe(0)
    expect((await alice.get('/v1/conversations?cursor=nonsense')).status).toBe(400)
  })
})
