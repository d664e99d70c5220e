/**
 * RN-004: connectors as processes of their own. Scaled out on PostgreSQL and NATS, with the API,
 * the relay and workers in some processes and `--role connector` in another, a message to a
 * WhatsApp contact is sent by the connector process to a WhatsApp simulator running on its own,
 * whose callbacks reach the API process and move the receipt to READ.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { natsAvailable } from '../support/nats.js'
import { postgresAvailable } from '../support/postgres.js'
import { deployment, type Deployment } from '../support/scaled.js'
import { simulators, startSimulator, type RunningSimulator } from '../../src/simulators/index.js'

const available = (await postgresAvailable()) && (await natsAvailable())

describe.skipIf(!available)('scaled out: a connector process of its own', () => {
  let cluster: Deployment | undefined
  let sim: RunningSimulator | undefined
  afterAll(async () => {
    await cluster?.close()
    await sim?.close()
  })

  it('sends through the connector process and takes the callbacks on the API', { timeout: 120_000 }, async () => {
    sim = await startSimulator('whatsapp', { deliveredDelayMs: 20, readDelayMs: 50 })
    const defaults = simulators.whatsapp.defaults
    cluster = await deployment({
      env: {
        CHAT4ALL_WHATSAPP_BASE_URL: sim.url,
        CHAT4ALL_WHATSAPP_PHONE_NUMBER_ID: defaults.account,
        CHAT4ALL_WHATSAPP_ACCESS_TOKEN: defaults.accessToken,
        CHAT4ALL_WHATSAPP_APP_SECRET: defaults.appSecret,
        CHAT4ALL_WHATSAPP_VERIFY_TOKEN: 'scaled-verify-token',
      },
    })
    const api = await cluster.start('api')
    await Promise.all([cluster.start('relay,worker'), cluster.start('connector')])
    const control = new ApiClient(sim.url)
    expect((await control.request('PUT', '/_sim/webhook', { url: `${api.url}/v1/channels/whatsapp/webhook` })).status).toBe(200)
    // Meta's subscription handshake against the API process.
    expect((await control.post('/_sim/webhook/subscribe', { verify_token: 'scaled-verify-token' })).body).toMatchObject({ verified: true })

    const alice = await newUser(api.url, 'alice')
    const address = 'whatsapp:+5511988887777'
    const created = await alice.post('/v1/conversations', { type: 'private', members: [address] })
    const messageId = randomUUID()
    await alice.post('/v1/messages', { message_id: messageId, conversation_id: created.body.conversation_id, payload: { type: 'text', text: 'escalado' } })
    let status: string | undefined
    for (const deadline = Date.now() + 30_000; status !== 'READ' && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const detail = await alice.get(`/v1/messages/${messageId}`)
      status = (detail.body.receipts as { member_id: string; status: string }[]).find((r) => r.member_id === address)?.status
    }
    expect(status).toBe('READ')
    expect(((await control.get('/_sim/messages')).body.messages as { text?: string }[]).map((m) => m.text)).toEqual(['escalado'])
  })
})
