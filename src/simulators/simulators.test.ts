/** The simulators check requests as their platforms do; in process with `inject`, no callbacks (no webhook set). */
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { simulators, type SimulatorName } from './index.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})

async function simulator(name: SimulatorName): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(simulators[name].plugin, { prefix: `/${name}` })
  apps.push(app)
  return app
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) })

describe('WhatsApp simulator', () => {
  const send = async (body: unknown, token = 'sim-whatsapp-token', phoneNumberId = '106540352242922') => {
    const app = await simulator('whatsapp')
    const response = await app.inject({ method: 'POST', url: `/whatsapp/v23.0/${phoneNumberId}/messages`, ...json(body, { authorization: `Bearer ${token}` }) })
    return { status: response.statusCode, body: response.json() as { error?: { code: number; error_subcode?: number } } }
  }
  const text = { messaging_product: 'whatsapp', to: '5511999998888', type: 'text', text: { body: 'hi' } }

  it('answers the Cloud API’s shape for a good send', async () => {
    expect(await send(text)).toMatchObject({ status: 200, body: { messaging_product: 'whatsapp', contacts: [{ wa_id: '5511999998888' }], messages: [{ id: expect.stringMatching(/^wamid\./) }] } })
  })

  it('refuses what the Cloud API refuses, with its codes', async () => {
    expect(await send(text, 'wrong')).toMatchObject({ status: 401, body: { error: { code: 190 } } })
    expect(await send(text, undefined, '999')).toMatchObject({ status: 400, body: { error: { code: 100, error_subcode: 33 } } })
    expect(await send({ ...text, messaging_product: undefined })).toMatchObject({ status: 400, body: { error: { code: 100 } } })
    expect(await send({ ...text, to: 'abc' })).toMatchObject({ status: 400, body: { error: { code: 131009 } } })
    expect(await send({ ...text, text: {} })).toMatchObject({ status: 400, body: { error: { code: 131008 } } })
    expect(await send({ ...text, type: 'sticker', sticker: { link: 'https://x/y.webp' } })).toMatchObject({ status: 400, body: { error: { code: 131051 } } })
    expect(await send({ ...text, type: 'image', image: {} })).toMatchObject({ status: 400, body: { error: { code: 131008 } } })
  })
})

describe('Instagram simulator', () => {
  const send = async (body: unknown, token = 'sim-instagram-token') => {
    const app = await simulator('instagram')
    const response = await app.inject({ method: 'POST', url: `/instagram/v23.0/me/messages?access_token=${token}`, ...json(body) })
    return { status: response.statusCode, body: response.json() as unknown }
  }

  it('takes the token as a parameter too, and answers recipient_id and message_id', async () => {
    expect(await send({ recipient: { id: '1254459154682919' }, message: { text: 'hi' } })).toMatchObject({ status: 200, body: { recipient_id: '1254459154682919', message_id: expect.any(String) } })
  })

  it('refuses handles, long texts and unknown attachments as the Send API does', async () => {
    expect(await send({ recipient: { id: '@maria' }, message: { text: 'hi' } })).toMatchObject({ status: 400, body: { error: { code: 100, error_subcode: 2018001 } } })
    expect(await send({ recipient: { id: '1' }, message: { text: 'é'.repeat(501) } })).toMatchObject({ status: 400, body: { error: { code: 100 } } })
    expect(await send({ recipient: { id: '1' }, message: { attachment: { type: 'template', payload: {} } } })).toMatchObject({ status: 400 })
    expect(await send({ recipient: { id: '1' }, message: { text: 'hi' } }, 'wrong')).toMatchObject({ status: 400, body: { error: { code: 190 } } })
  })
})

describe('Telegram simulator', () => {
  const token = '7000000001:sim-telegram-token'

  it('takes JSON and form bodies and answers a Message', async () => {
    const app = await simulator('telegram')
    const viaJson = await app.inject({ method: 'POST', url: `/telegram/bot${token}/sendMessage`, ...json({ chat_id: 42, text: 'hi' }) })
    expect(viaJson.json()).toMatchObject({ ok: true, result: { message_id: 1, chat: { id: 42 }, text: 'hi' } })
    const viaForm = await app.inject({ method: 'POST', url: `/telegram/bot${token}/sendMessage`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'chat_id=42&text=again' })
    expect(viaForm.json()).toMatchObject({ ok: true, result: { message_id: 2, text: 'again' } })
  })

  it('refuses what the Bot API refuses, in its error shape', async () => {
    const app = await simulator('telegram')
    const call = async (method: string, body: unknown, bot = token) => (await app.inject({ method: 'POST', url: `/telegram/bot${bot}/${method}`, ...json(body) })).json() as unknown
    expect(await call('sendMessage', { chat_id: 42, text: 'x' }, '1:wrong')).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' })
    expect(await call('sendMessage', { chat_id: 'nobody', text: 'x' })).toMatchObject({ ok: false, error_code: 400, description: 'Bad Request: chat not found' })
    expect(await call('sendMessage', { chat_id: 42 })).toMatchObject({ error_code: 400, description: 'Bad Request: message text is empty' })
    expect(await call('sendPhoto', { chat_id: 42, photo: 'not-a-url' })).toMatchObject({ error_code: 400 })
    expect(await call('noSuchMethod', {})).toMatchObject({ error_code: 404 })
    expect(await call('setWebhook', { url: 'http://127.0.0.1:9/hook', secret_token: 's' })).toMatchObject({ ok: true, description: 'Webhook was set' })
    expect(await call('getUpdates', {})).toMatchObject({ ok: false, error_code: 409 })
  })
})

describe('control API', () => {
  it('refuses faults a platform cannot have, and reports settings', async () => {
    const app = await simulator('telegram')
    const fault = await app.inject({ method: 'POST', url: '/telegram/_sim/faults', ...json({ kind: 'out_of_order' }) })
    expect(fault.statusCode).toBe(400)
    const delays = await app.inject({ method: 'PUT', url: '/telegram/_sim/delays', ...json({ read_ms: -1 }) })
    expect(delays.statusCode).toBe(400)
    expect((await app.inject({ url: '/telegram/_sim' })).json()).toMatchObject({ platform: 'telegram', account: '7000000001', webhook: null })
  })

  it('lets a contact write in without a webhook: Telegram queues it for getUpdates', async () => {
    const app = await simulator('telegram')
    const sent = await app.inject({ method: 'POST', url: '/telegram/_sim/contacts/42/messages', ...json({ text: 'oi' }) })
    expect(sent.json()).toEqual({ id: '42:1' })
    const updates = await app.inject({ url: `/telegram/bot7000000001:sim-telegram-token/getUpdates` })
    expect(updates.json()).toMatchObject({ ok: true, result: [{ message: { text: 'oi', chat: { id: 42 } } }] })
  })
})
