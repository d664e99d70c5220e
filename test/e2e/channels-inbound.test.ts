/**
 * Contacts writing in, end to end through the simulators: the assignment's demo (a WhatsApp
 * contact's message reaches an Instagram contact of the same group, and the group's Chat4All
 * members), deduplication of a redelivered webhook, and a stranger's first message opening a
 * private conversation with the account owner.
 */
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { StreamClient } from '../support/ws.js'
import { simpleUpload } from '../support/files.js'

let server: TestPlatform
let owner: ApiClient & { userId: string }
const control = () => new ApiClient(server.url)

beforeAll(async () => {
  server = await startTestPlatform()
  // The first account is the first admin: the channel accounts' owner by default.
  owner = await newUser(server.url, 'owner')
})
afterAll(() => server.stop())

const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0')

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
    const value = await check()
    if (value !== undefined) return value
  }
  throw new Error(`timed out waiting until ${what}`)
}

describe('inbound from contacts', () => {
  it('routes a WhatsApp contact\'s message to the group, live to its users and on to the Instagram contact', async () => {
    const phone = `+55119${digits(8)}`
    const igsid = `17${digits(14)}`
    const alice = await newUser(server.url, 'alice')
    const group = await alice.post('/v1/conversations', { type: 'group', title: 'demo', members: [`whatsapp:${phone}`, `instagram:${igsid}`] })
    expect(group.status).toBe(201)
    const conversationId = group.body.conversation_id as string
    // Alice writes first: the group is now the conversation that last wrote to both contacts.
    await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: 'Bem-vindos!' } })
    await until(async () => ((await control().get('/_sim/instagram/_sim/messages')).body.messages as { text?: string }[]).find((m) => m.text === 'Bem-vindos!'), 'Instagram got the welcome')

    const stream = await StreamClient.connect(server.url, { token: alice.token! })
    const text = `Oi, aqui é a Ana ${randomUUID()}`
    await control().post('/_sim/whatsapp/_sim/faults', { kind: 'duplicate' })
    const wrote = await control().post(`/_sim/whatsapp/_sim/contacts/${encodeURIComponent(phone)}/messages`, { text, name: 'Ana' })
    expect(wrote.status).toBe(201)

    const live = await stream.waitFor((f) => f.type === 'message' || f.type === 'message.created' ? JSON.stringify(f).includes(text) : false, 'the contact\'s message live')
    expect(JSON.stringify(live)).toContain(`whatsapp:${phone}`)
    const onInstagram = await until(
      async () => ((await control().get('/_sim/instagram/_sim/messages')).body.messages as { to: string; text?: string }[]).find((m) => m.text === text),
      'the Instagram contact got it',
    )
    expect(onInstagram.to).toBe(igsid)
    // The duplicated webhook added nothing, and WhatsApp got no echo of its own contact's message.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
    const fromAna = (history.body.messages as { sender_id: string; content: string }[]).filter((m) => m.content === text)
    expect(fromAna).toHaveLength(1)
    expect(fromAna[0]!.sender_id).toBe(`whatsapp:${phone}`)
    const echoed = ((await control().get('/_sim/whatsapp/_sim/messages')).body.messages as { text?: string }[]).filter((m) => m.text === text)
    expect(echoed).toEqual([])
    await stream.close()
  })

  it('opens a private conversation with the account owner for a stranger, and keeps using it', async () => {
    const phone = `+55219${digits(8)}`
    for (const text of ['primeira', 'segunda']) {
      expect((await control().post(`/_sim/whatsapp/_sim/contacts/${encodeURIComponent(phone)}/messages`, { text })).status).toBe(201)
    }
    const conversation = await until(async () => {
      const list = await owner.get('/v1/conversations')
      return (list.body.conversations as { conversation_id: string; type: string; members?: { member_id: string }[] }[]).find(
        (c) => c.type === 'private' && JSON.stringify(c).includes(phone),
      )
    }, 'a private conversation with the stranger')
    const messages = await until(async () => {
      const history = await owner.get(`/v1/conversations/${conversation.conversation_id}/messages`)
      const found = history.body.messages as { content: string }[]
      return found.length >= 2 ? found : undefined
    }, 'both messages in it')
    expect(messages.map((m) => m.content)).toEqual(['primeira', 'segunda'])
  })

  it('turns a contact\'s file into a Chat4All file in the conversation', async () => {
    const phone = `+55719${digits(8)}`
    const alice = await newUser(server.url, 'alice')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [`whatsapp:${phone}`] })
    const conversationId = created.body.conversation_id as string
    await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: 'mande a foto' } })
    await until(async () => ((await control().get('/_sim/whatsapp/_sim/messages')).body.messages as { text?: string }[]).find((m) => m.text === 'mande a foto'), 'the ask went out')
    // The contact's photo lives somewhere the platform serves it from: here, a file of Alice's with a signed link.
    const bytes = Buffer.from(`a photo ${randomUUID()}`)
    const source = await simpleUpload(alice, bytes, 'source.jpg', 'image/jpeg')
    const link = await alice.get(`/v1/files/${source.body.file_id as string}/download`)
    const wrote = await control().post(`/_sim/whatsapp/_sim/contacts/${encodeURIComponent(phone)}/messages`, {
      text: 'aqui',
      file: { url: link.body.download_url, mime_type: 'image/jpeg', filename: 'praia.jpg' },
    })
    expect(wrote.status).toBe(201)
    const message = await until(async () => {
      const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
      return (history.body.messages as { sender_id: string; payload: { type: string; file_id?: string; text?: string } }[]).find((m) => m.sender_id === `whatsapp:${phone}`)
    }, 'the contact\'s file message')
    expect(message.payload).toMatchObject({ type: 'file', text: 'aqui' })
    const download = await alice.get(`/v1/files/${message.payload.file_id!}/download`)
    expect(download.status).toBe(200)
    expect(download.body).toMatchObject({ mimetype: 'image/jpeg', size_bytes: bytes.length })
    const fetched = await fetch(download.body.download_url as string)
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(bytes)
  })

  it('answers the platform before a contact\'s file is fetched, and keeps that contact\'s later messages behind it', async () => {
    const phone = `+55819${digits(8)}`
    const alice = await newUser(server.url, 'alice')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [`whatsapp:${phone}`] })
    const conversationId = created.body.conversation_id as string
    await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: 'mande o vídeo' } })
    await until(async () => ((await control().get('/_sim/whatsapp/_sim/messages')).body.messages as { text?: string }[]).find((m) => m.text === 'mande o vídeo'), 'the ask went out')
    // Where the platform serves the file from: it answers only when the test lets it.
    const bytes = Buffer.from(`a video ${randomUUID()}`)
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const files = createServer((_request, response) => {
      void released.then(() => response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length }).end(bytes))
    }).listen(0, '127.0.0.1')
    await once(files, 'listening')
    try {
      const { port } = files.address() as AddressInfo
      // Both webhooks are answered while the file is still held: the simulator's call returns only once ours did.
      const withFile = await control().post(`/_sim/whatsapp/_sim/contacts/${encodeURIComponent(phone)}/messages`, {
        text: 'olha',
        file: { url: `http://127.0.0.1:${port}/video.mp4`, mime_type: 'video/mp4', filename: 'video.mp4' },
      })
      expect(withFile.status).toBe(201)
      expect((await control().post(`/_sim/whatsapp/_sim/contacts/${encodeURIComponent(phone)}/messages`, { text: 'gostou?' })).status).toBe(201)
      const history = async () =>
        ((await alice.get(`/v1/conversations/${conversationId}/messages`)).body.messages as { sender_id: string; seq: number; payload: { type: string; text?: string } }[]).filter(
          (m) => m.sender_id === `whatsapp:${phone}`,
        )
      expect(await history(), 'nothing lands before the file is fetched, not even the later text').toEqual([])
      release()
      const landed = await until(async () => {
        const found = await history()
        return found.length === 2 ? found : undefined
      }, 'both messages in the conversation')
      expect(landed.sort((a, b) => a.seq - b.seq).map((m) => [m.payload.type, m.payload.text])).toEqual([
        ['file', 'olha'],
        ['text', 'gostou?'],
      ])
    } finally {
      release()
      files.close()
    }
  })

  it('validates and normalises contacts by the connectors\' own address schemes', async () => {
    const alice = await newUser(server.url, 'alice')
    const phone = `55319${digits(8)}`
    const created = await alice.post('/v1/conversations', { type: 'group', members: [`whatsapp:${phone}`, 'instagram:@Maria.Silva', 'telegram:-1001234567890'] })
    expect(created.status).toBe(201)
    const members = (created.body.members as { member_id: string }[]).map((m) => m.member_id)
    expect(members).toEqual(expect.arrayContaining([`whatsapp:+${phone}`, 'instagram:@maria.silva', 'telegram:-1001234567890']))
    const bad = await alice.post('/v1/conversations', { type: 'group', members: ['whatsapp:not-a-number'] })
    expect(bad.status).toBe(400)
    const unknown = await alice.post('/v1/conversations', { type: 'group', members: ['sms:+5511999998888'] })
    expect(unknown.status).toBe(400)
  })

  it('refuses a webhook whose signature does not verify, and a channel it does not serve', async () => {
    const forged = await control().request('POST', '/v1/channels/whatsapp/webhook', { object: 'whatsapp_business_account', entry: [] }, { 'x-hub-signature-256': 'sha256=00' })
    expect(forged.status).toBe(401)
    expect(forged.body).toMatchObject({ code: 'channel_signature_invalid' })
    const unknown = await control().request('POST', '/v1/channels/sms/webhook', {})
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ code: 'channel_not_found' })
  })
})

describe('linked identities', () => {
  it('links, lists and unlinks the caller\'s own identities, also at the first API\'s path', async () => {
    const carol = await newUser(server.url, 'carol')
    const dave = await newUser(server.url, 'dave')
    const phone = `55419${digits(8)}`
    const linked = await carol.post('/v1/users/me/identities', { platform: 'whatsapp', value: phone })
    expect(linked.status).toBe(201)
    expect(linked.body).toMatchObject({ platform: 'whatsapp', value: `+${phone}`, address: `whatsapp:+${phone}` })
    expect((await carol.post('/v1/users/identities', { platform: 'WhatsApp', value: `+${phone}` })).status).toBe(200)
    const taken = await dave.post('/v1/users/me/identities', { platform: 'whatsapp', value: phone })
    expect(taken.status).toBe(409)
    expect(taken.body).toMatchObject({ code: 'identity_taken' })
    expect((await carol.post('/v1/users/me/identities', { platform: 'whatsapp', value: 'nope' })).status).toBe(400)
    expect((await carol.get('/v1/users/identities')).body.identities).toEqual([expect.objectContaining({ address: `whatsapp:+${phone}` })])
    expect((await carol.request('DELETE', `/v1/users/me/identities/whatsapp/${encodeURIComponent(`+${phone}`)}`)).status).toBe(204)
    expect((await carol.request('DELETE', `/v1/users/me/identities/whatsapp/${encodeURIComponent(`+${phone}`)}`)).status).toBe(404)
    expect((await carol.get('/v1/users/me/identities')).body.identities).toEqual([])
    expect((await new ApiClient(server.url).get('/v1/users/me/identities')).status).toBe(401)
  })

  it('also sends to a recipient\'s linked identities on the channels a send names', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const phone = `+55619${digits(8)}`
    expect((await bob.post('/v1/users/me/identities', { platform: 'whatsapp', value: phone })).status).toBe(201)
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const conversationId = created.body.conversation_id as string
    const tag = randomUUID()
    const send = (text: string, channels?: string[]) =>
      alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: `${text} ${tag}` }, ...(channels ? { channels } : {}) })
    expect((await send('internal only')).status).toBe(202)
    expect((await send('telegram only', ['telegram'])).status).toBe(202)
    expect((await send('by whatsapp', ['WhatsApp'])).status).toBe(202)
    expect((await send('everywhere', ['all'])).status).toBe(202)
    const refused = await send('nowhere', ['sms'])
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ code: 'validation_failed', field: 'channels[0]' })
    const received = await until(async () => {
      const texts = ((await control().get('/_sim/whatsapp/_sim/messages')).body.messages as { to: string; text?: string }[])
        .filter((m) => m.text?.endsWith(tag))
        .map((m) => [m.to, m.text])
      return texts.length >= 2 ? texts : undefined
    }, 'both routed messages on WhatsApp')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(received).toEqual([
      [phone.slice(1), `by whatsapp ${tag}`],
      [phone.slice(1), `everywhere ${tag}`],
    ])
    // Bob still has every message in the conversation.
    expect((await bob.get(`/v1/conversations/${conversationId}/messages`)).body.messages).toHaveLength(4)
  })
  it('takes a message from a user\'s linked identity as the user\'s own, in the conversation it answers', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const phone = `+55719${digits(8)}`
    expect((await bob.post('/v1/users/me/identities', { platform: 'whatsapp', value: phone })).status).toBe(201)
    const group = await alice.post('/v1/conversations', { type: 'group', title: 'trip', members: [bob.username] })
    const conversationId = group.body.conversation_id as string
    const tag = randomUUID()
    await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: `where? ${tag}` }, channels: ['whatsapp'] })
    const onPhone = await until(
      async () => ((await control().get('/_sim/whatsapp/_sim/messages')).body.messages as { id: string; text?: string }[]).find((m) => m.text === `where? ${tag}`),
      'Bob\'s phone got the question',
    )
    // Bob answers on his phone, once quoting the question and once not: both are his, in the group.
    for (const [text, replyTo] of [[`at the station ${tag}`, onPhone.id], [`see you ${tag}`, undefined]] as const) {
      const wrote = await control().post(`/_sim/whatsapp/_sim/contacts/${encodeURIComponent(phone)}/messages`, { text, ...(replyTo ? { reply_to: replyTo } : {}) })
      expect(wrote.status).toBe(201)
    }
    const answers = await until(async () => {
      const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
      const found = (history.body.messages as { sender_id: string; content?: string; metadata?: Record<string, unknown> }[]).filter(
        (m) => m.content?.endsWith(tag) && !m.content.startsWith('where?'),
      )
      return found.length === 2 ? found : undefined
    }, 'both answers in the group')
    for (const answer of answers) {
      expect(answer.sender_id).toBe(bob.userId)
      expect(answer.metadata).toMatchObject({ channel: 'whatsapp', via: `whatsapp:${phone}` })
    }
    // Nobody else got a conversation with Bob's number.
    const ownerList = await owner.get('/v1/conversations')
    expect(JSON.stringify(ownerList.body)).not.toContain(phone)
  })
})
