/**
 * @module A local Instagram Messaging API (Messenger Platform Send API): `POST /{version}/me/messages`
 * to an IGSID, checked and answered as Graph answers; an echo of each send and a `read`
 * (`messaging_seen`, `read.mid`) called back to the webhook, signed with the app secret. Instagram
 * sends no delivery callbacks, so neither does this. Contacts write in with text or attachments.
 */
import type { FastifyPluginAsync } from 'fastify'
import { createCallbacks } from './shared/callbacks.js'
import { registerControlRoutes, type ContactMessage, type SimulatedPlatform } from './shared/control-routes.js'
import { answer, answerWithFault, type FaultAnswers } from './shared/faults.js'
import { graphError, graphToken, metaHandshake, metaSigner, platformId } from './shared/meta.js'
import type { SimulatorOptions } from './shared/options.js'
import { callbackFaults, sendFaults, SimulatorState } from './shared/state.js'
import { checkInstagramSend } from './instagram-send.js'

export const instagramSimulatorDefaults = {
  account: '17841400000000001',
  accessToken: 'sim-instagram-token',
  appSecret: 'sim-instagram-app-secret',
} as const

const faults: FaultAnswers = {
  serverError: () => graphError(500, { message: '(#1200) Temporary send message failure. Please try again later', code: 1200 }),
  rateLimited: (seconds) => ({
    ...graphError(429, { message: '(#613) Calls to this api have exceeded the rate limit.', code: 613 }),
    headers: { 'retry-after': String(seconds) },
  }),
  permanent: () => graphError(400, { message: "(#551) This person isn't available right now.", code: 551, error_subcode: 1545041 }),
}

const attachmentTypes = ['image', 'video', 'audio'] as const

export const instagramSimulator: FastifyPluginAsync<SimulatorOptions> = async (app, options) => {
  const account = options.account ?? instagramSimulatorDefaults.account
  const accessToken = options.accessToken ?? instagramSimulatorDefaults.accessToken
  const state = new SimulatorState(
    { deliveredMs: null, readMs: options.readDelayMs ?? 1000 },
    [...sendFaults, ...callbackFaults],
    options.webhookUrl ? { url: options.webhookUrl } : undefined,
  )
  const callbacks = createCallbacks(state, metaSigner(options.appSecret ?? instagramSimulatorDefaults.appSecret))
  app.addHook('preClose', async () => state.stopping.abort())

  const envelope = (messaging: Record<string, unknown>) => ({
    object: 'instagram',
    entry: [{ id: account, time: Date.now(), messaging: [{ timestamp: Date.now(), ...messaging }] }],
  })

  app.post<{ Params: { version: string }; Body: unknown }>('/:version/me/messages', async (request, reply) => {
    const path = request.url
    if (graphToken(request) !== accessToken) {
      return answer(state, path, reply, graphError(400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }))
    }
    if (await answerWithFault(state, path, faults, reply)) return
    const checked = checkInstagramSend(request.body)
    if ('error' in checked) return answer(state, path, reply, checked.error)
    if (checked.kind === 'action') return answer(state, path, reply, { status: 200, body: { recipient_id: checked.to } })
    const mid = platformId('aWdf')
    state.recordMessage({ id: mid, at: Date.now(), ...checked.message })
    const readMs = state.delays.readMs
    const { text, link, type } = checked.message
    const echo = { mid, is_echo: true, ...(text ? { text } : { attachments: [{ type, payload: { url: link } }] }) }
    callbacks.schedule([
      // Instagram echoes what the account sent on the `messages` field.
      { delayMs: 0, kind: 'echo', body: envelope({ sender: { id: account }, recipient: { id: checked.message.to }, message: echo }) },
      ...(readMs === null ? [] : [{ delayMs: readMs, kind: 'status', body: envelope({ sender: { id: checked.message.to }, recipient: { id: account }, read: { mid } }) }]),
    ])
    return answer(state, path, reply, { status: 200, body: { recipient_id: checked.message.to, message_id: mid } })
  })

  const sim: SimulatedPlatform = {
    platform: 'instagram',
    account,
    state,
    subscribeWebhook: (verifyToken) => metaHandshake(state.webhook?.url ?? '', verifyToken),
    contactProblem: (contact) => (/^\d{1,32}$/.test(contact) ? undefined : `'${contact}' is not an Instagram-scoped id (digits)`),
    async contactSends(contact: string, message: ContactMessage) {
      const mid = platformId('aWdf')
      const file = message.file
      const type = file ? (attachmentTypes.find((t) => file.mimeType.startsWith(`${t}/`)) ?? 'file') : undefined
      const body = envelope({
        sender: { id: contact },
        recipient: { id: account },
        message: {
          mid,
          ...(message.text ? { text: message.text } : {}),
          ...(file ? { attachments: [{ type, payload: { url: file.url } }] } : {}),
          ...(message.replyTo ? { reply_to: { mid: message.replyTo } } : {}),
        },
      })
      await callbacks.post('inbound', body)
      return { id: mid }
    },
  }
  registerControlRoutes(app, sim)
}
