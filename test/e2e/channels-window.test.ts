/**
 * WhatsApp's customer service window, end to end through the simulator with the window enforced:
 * a contact who has not written in 24 hours gets the configured template (the text as its
 * parameter), one who has gets the text itself; without a template the platform fails the send and
 * the receipt ends FAILED with reason `policy`.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const sim = (path: string) => `/_sim/whatsapp/_sim${path}`
const phone = () => `+55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
    const value = await check()
    if (value !== undefined) return value
  }
  throw new Error(`timed out waiting until ${what}`)
}

async function platformWithWindow(env: Record<string, string>): Promise<TestPlatform> {
  const server = await startTestPlatform(env)
  await newUser(server.url, 'owner')
  expect((await new ApiClient(server.url).request('PUT', sim('/window'), { enforced: true })).status).toBe(200)
  return server
}

async function send(server: TestPlatform, address: string, text: string) {
  const alice = await newUser(server.url, 'alice')
  const created = await alice.post('/v1/conversations', { type: 'private', members: [`whatsapp:${address}`] })
  const conversationId = created.body.conversation_id as string
  const sent = await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text } })
  expect(sent.status).toBe(202)
  return { alice, conversationId, messageId: sent.body.message_id as string }
}

const received = async (server: TestPlatform, text: string) =>
  ((await new ApiClient(server.url).get(sim('/messages'))).body.messages as { to: string; type: string; text?: string; template?: string }[]).find((m) =>
    m.text?.includes(text),
  )

describe('WhatsApp outside the customer service window', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await platformWithWindow({ CHAT4ALL_WHATSAPP_TEMPLATE: 'chat4all_update', CHAT4ALL_WHATSAPP_TEMPLATE_LANGUAGE: 'pt_BR' })
  })
  afterAll(() => server.stop())

  it('sends the configured template to a contact who has not written, and the text once they have', async () => {
    const address = phone()
    const first = `first ${randomUUID()}`
    const { alice, conversationId } = await send(server, address, first)
    const asTemplate = await until(() => received(server, first), 'the template reached the phone')
    expect(asTemplate).toMatchObject({ type: 'template', template: 'chat4all_update', to: address.slice(1) })
    expect(asTemplate.text).toBe(`[template chat4all_update pt_BR] ${first}`)

    // The contact answers: the window is open, and the next message goes as plain text.
    expect((await new ApiClient(server.url).post(sim(`/contacts/${encodeURIComponent(address)}/messages`), { text: 'oi' })).status).toBe(201)
    await until(async () => {
      const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
      return JSON.stringify(history.body).includes('"oi"') ? true : undefined
    }, 'the answer is in the conversation')
    const second = `second ${randomUUID()}`
    await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: second } })
    const asText = await until(() => received(server, second), 'the text reached the phone')
    expect(asText).toMatchObject({ type: 'text', text: second })
  })
})

describe('WhatsApp outside the window with no template', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await platformWithWindow({})
  })
  afterAll(() => server.stop())

  it('ends FAILED with reason policy, as the platform reports it', async () => {
    const address = phone()
    const { alice, messageId } = await send(server, address, `hello ${randomUUID()}`)
    const receipt = await until(async () => {
      const detail = await alice.get(`/v1/messages/${messageId}`)
      const receipts = (detail.body.receipts ?? []) as { member?: string; member_id?: string; status: string; reason?: string }[]
      const mine = receipts.find((r) => (r.member ?? r.member_id) === `whatsapp:${address}`)
      return mine?.status === 'FAILED' ? mine : undefined
    }, 'the receipt is FAILED')
    expect(receipt.reason).toMatch(/^policy/)
  })
})
