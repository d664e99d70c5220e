/**
 * Channel routing end to end in the all-in-one shape: the platform mounts the three simulators on
 * its own port and points the connectors at them. A message to a conversation with a WhatsApp
 * contact reaches the simulator, and the contact's receipt follows the platform's callbacks
 * (DELIVERED, READ) in `GET /v1/messages/{id}` and on the sender's stream; failures end FAILED with
 * a reason and a dead letter an admin replays.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { StreamClient } from '../support/ws.js'
import { simpleUpload } from '../support/files.js'

let server: TestPlatform
let admin: ApiClient & { userId: string }
const sim = (path: string) => `/_sim/whatsapp/_sim${path}`

beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_CHANNEL_RETRY_BASE_MS: '20', CHAT4ALL_CHANNEL_MAX_ATTEMPTS: '3' })
  // The first account is the admin (dead letters).
  admin = await newUser(server.url, 'admin')
  const delays = await new ApiClient(server.url).request('PUT', sim('/delays'), { delivered_ms: 50, read_ms: 150 })
  expect(delays.status).toBe(200)
})
afterAll(() => server.stop())

const contact = () => `whatsapp:+55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`

async function conversationWith(address: string) {
  const alice = await newUser(server.url, 'alice')
  const created = await alice.post('/v1/conversations', { type: 'private', members: [address] })
  expect(created.status).toBe(201)
  return { alice, conversationId: created.body.conversation_id as string }
}

async function receiptOf(client: ApiClient, messageId: string, address: string) {
  const detail = await client.get(`/v1/messages/${messageId}`)
  return (detail.body.receipts as { member_id: string; status: string; reason?: string }[]).find((r) => r.member_id === address)
}

async function waitForStatus(client: ApiClient, messageId: string, address: string, status: string) {
  let last: unknown
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const receipt = await receiptOf(client, messageId, address)
    last = receipt
    if (receipt?.status === status) return receipt
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`receipt never became ${status}: ${JSON.stringify(last)}`)
}

async function simMessages(): Promise<{ id: string; to: string; type: string; text?: string; link?: string; caption?: string }[]> {
  return (await new ApiClient(server.url).get(sim('/messages'))).body.messages as never
}

describe('outbound to a WhatsApp contact', () => {
  it('delivers through the simulator, and the receipt comes back DELIVERED then READ, live and in history', async () => {
    const address = contact()
    const { alice, conversationId } = await conversationWith(address)
    const stream = await StreamClient.connect(server.url, { token: alice.token! })
    const messageId = randomUUID()
    const sent = await alice.post('/v1/messages', { message_id: messageId, conversation_id: conversationId, payload: { type: 'text', text: 'Olá Ana!' } })
    expect(sent.status).toBe(202)

    let onPlatform: { id: string; to: string; text?: string } | undefined
    for (const deadline = Date.now() + 10_000; !onPlatform && Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      onPlatform = (await simMessages()).find((m) => m.text === 'Olá Ana!' && `whatsapp:${m.to.startsWith('+') ? m.to : `+${m.to}`}` === address)
    }
    expect(onPlatform, 'the simulator received the message').toBeDefined()

    await waitForStatus(alice, messageId, address, 'READ')
    const statuses = () => stream.frames.filter((f) => f.type === 'message.status' && f['message_id'] === messageId && f['member_id'] === address).map((f) => f['status'])
    await stream.waitFor((f) => f.type === 'message.status' && f['message_id'] === messageId && f['status'] === 'READ', 'READ on the stream')
    expect(statuses()).toEqual(['SENT', 'DELIVERED', 'READ'])
    await stream.close()
  })

  it('sends one recipient\'s messages in seq order, and retries a 5xx', async () => {
    const address = contact()
    const { alice, conversationId } = await conversationWith(address)
    await new ApiClient(server.url).post(sim('/faults'), { kind: 'server_error', times: 1 })
    const texts = ['one', 'two', 'three', 'four', 'five'].map((t) => `${t} ${randomUUID()}`)
    for (const text of texts) await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text } })
    let got: string[] = []
    for (const deadline = Date.now() + 10_000; got.length < texts.length && Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      got = (await simMessages()).map((m) => m.text ?? '').filter((t) => texts.includes(t))
    }
    expect(got).toEqual(texts)
  })

  it('sends to a contact only what was written after they joined, and nothing after they left', async () => {
    const address = contact()
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const group = await alice.post('/v1/conversations', { type: 'group', title: 'late joiner', members: [bob.username] })
    expect(group.status).toBe(201)
    const conversationId = group.body.conversation_id as string
    const say = (text: string) => alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text } })
    const tag = randomUUID()
    await say(`before ${tag}`)
    expect((await alice.post(`/v1/conversations/${conversationId}/members`, { members: [address] })).status).toBe(201)
    await say(`during ${tag}`)
    let texts: string[] = []
    for (const deadline = Date.now() + 10_000; texts.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      texts = (await simMessages()).map((m) => m.text ?? '').filter((t) => t.endsWith(tag))
    }
    expect((await alice.request('DELETE', `/v1/conversations/${conversationId}/members/${encodeURIComponent(address)}`)).status).toBeLessThan(300)
    await say(`after ${tag}`)
    await new Promise((resolve) => setTimeout(resolve, 400))
    texts = (await simMessages()).map((m) => m.text ?? '').filter((t) => t.endsWith(tag))
    expect(texts).toEqual([`during ${tag}`])
  })

  it('never moves a receipt backwards on out-of-order and duplicated callbacks', async () => {
    const address = contact()
    const { alice, conversationId } = await conversationWith(address)
    const stream = await StreamClient.connect(server.url, { token: alice.token! })
    const control = new ApiClient(server.url)
    await control.post(sim('/faults'), { kind: 'out_of_order' })
    await control.post(sim('/faults'), { kind: 'duplicate', times: 3 })
    const messageId = randomUUID()
    await alice.post('/v1/messages', { message_id: messageId, conversation_id: conversationId, payload: { type: 'text', text: 'shuffled' } })
    await waitForStatus(alice, messageId, address, 'READ')
    // Give the late callbacks time to arrive: nothing may take the receipt back.
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(await receiptOf(alice, messageId, address)).toMatchObject({ status: 'READ' })
    const rank: Record<string, number> = { SENT: 1, DELIVERED: 2, READ: 3 }
    const seen = stream.frames.filter((f) => f.type === 'message.status' && f['message_id'] === messageId).map((f) => rank[f['status'] as string] ?? 0)
    expect(seen, 'statuses only move forward, each once').toEqual([...new Set(seen)].sort((a, b) => a - b))
    await stream.close()
  })

  it('marks a refused recipient FAILED with the reason, keeps a dead letter, and an admin replays it', async () => {
    const address = contact()
    const { alice, conversationId } = await conversationWith(address)
    const stream = await StreamClient.connect(server.url, { token: alice.token! })
    await new ApiClient(server.url).post(sim('/faults'), { kind: 'permanent' })
    const messageId = randomUUID()
    await alice.post('/v1/messages', { message_id: messageId, conversation_id: conversationId, payload: { type: 'text', text: 'will fail' } })
    const failed = await waitForStatus(alice, messageId, address, 'FAILED')
    expect(failed.reason).toMatch(/bad_recipient/)
    const frame = await stream.waitFor((f) => f.type === 'message.status' && f['message_id'] === messageId && f['status'] === 'FAILED', 'FAILED on the stream')
    expect(frame['reason']).toMatch(/bad_recipient/)

    const letters = await admin.get('/v1/admin/dead-letters?group=channels')
    const letter = (letters.body.dead_letters as { id: string; event: { data: { message: { message_id: string } } }; error: string }[]).find((l) => l.event.data.message.message_id === messageId)
    expect(letter, 'a dead letter for the message').toBeDefined()
    expect(letter!.error).toContain(address)

    const replay = await admin.post(`/v1/admin/dead-letters/${letter!.id}/replay`)
    expect(replay.status).toBe(202)
    await waitForStatus(alice, messageId, address, 'READ')
    await stream.close()
  })

  it('sends a file as a signed link the platform fetches, with the text as its caption', async () => {
    const address = contact()
    const { alice, conversationId } = await conversationWith(address)
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n not really a picture')
    const uploaded = await simpleUpload(alice, bytes, 'foto.png', 'image/png')
    expect(uploaded.status).toBe(201)
    const fileId = uploaded.body.file_id as string
    await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'file', file_id: fileId, text: 'olha' } })
    let sent: { type: string; link?: string; caption?: string } | undefined
    for (const deadline = Date.now() + 10_000; !sent && Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      sent = (await simMessages()).find((m) => m.link?.includes(fileId))
    }
    expect(sent).toMatchObject({ type: 'image', caption: 'olha' })
    const fetched = await fetch(sent!.link!)
    expect(fetched.status).toBe(200)
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(bytes)
  })

  it('gives up after the last attempt of transient failures', async () => {
    const address = contact()
    const { alice, conversationId } = await conversationWith(address)
    await new ApiClient(server.url).post(sim('/faults'), { kind: 'server_error', times: 3 })
    const messageId = randomUUID()
    await alice.post('/v1/messages', { message_id: messageId, conversation_id: conversationId, payload: { type: 'text', text: 'unlucky' } })
    const failed = await waitForStatus(alice, messageId, address, 'FAILED')
    expect(failed.reason).toMatch(/after 3 attempts/)
  })

  // Last: it leaves the WhatsApp breaker open for its cool-down.
  it('opens the account\'s circuit breaker after consecutive platform failures, visible in /ready', async () => {
    const before = await new ApiClient(server.url).get('/ready')
    expect(before.body.details.channels.whatsapp).toMatchObject({ breaker: 'closed' })
    expect(Object.keys(before.body.details.channels).sort()).toEqual(['instagram', 'telegram', 'whatsapp'])
    await new ApiClient(server.url).post(sim('/faults'), { kind: 'server_error', times: 6 })
    const waiting: { alice: ApiClient; messageId: string; address: string }[] = []
    for (const address of [contact(), contact()]) {
      const { alice, conversationId } = await conversationWith(address)
      const messageId = randomUUID()
      await alice.post('/v1/messages', { message_id: messageId, conversation_id: conversationId, payload: { type: 'text', text: 'down' } })
      waiting.push({ alice, messageId, address })
    }
    let breaker: { breaker: string } | undefined
    for (const deadline = Date.now() + 10_000; breaker?.breaker !== 'open' && Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      breaker = (await new ApiClient(server.url).get('/ready')).body.details.channels.whatsapp
    }
    expect(breaker).toMatchObject({ breaker: 'open' })
    const adminView = await admin.get('/v1/admin/channels')
    expect(adminView.body.channels).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'whatsapp', breaker: 'open', account: '106540352242922' })]))
    const alice = await newUser(server.url, 'alice')
    expect((await alice.get('/v1/admin/channels')).status).toBe(403)
    // Refused by the open breaker, the messages wait out its cool-down instead of hammering the platform.
    for (const { alice, messageId, address } of waiting) expect(await receiptOf(alice, messageId, address)).toMatchObject({ status: 'SENT' })
  })
})
