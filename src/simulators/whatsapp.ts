/**
 * @module A local WhatsApp Cloud API: `POST /{version}/{phone_number_id}/messages` checked as the
 * Cloud API checks it, answering its real response and error shapes; `sent`, `delivered` and
 * `read` statuses called back to the webhook, signed with the app secret; contacts that write in
 * (text, or media fetched through `GET /{version}/{media_id}`). Control API: `shared/control-routes.ts`,
 * plus `PUT /_sim/window`: enforce the customer service window, as the Cloud API does: a message
 * other than a template to a contact who has not written in the last 24 hours is accepted, then
 * fails with a `failed` status (131047, re-engagement message).
 */
import type { FastifyPluginAsync } from 'fastify'
import { createCallbacks } from './shared/callbacks.js'
import { registerControlRoutes, type ContactMessage, type SimulatedPlatform } from './shared/control-routes.js'
import { answer, answerWithFault, type FaultAnswers } from './shared/faults.js'
import { epochSeconds, graphError, graphToken, metaHandshake, metaSigner, platformId } from './shared/meta.js'
import { callbackFaults, sendFaults, SimulatorState } from './shared/state.js'
import type { SimulatorOptions } from './shared/options.js'
import { checkWhatsAppSend, mediaTypes } from './whatsapp-send.js'

export const whatsappSimulatorDefaults = {
  account: '106540352242922',
  accessToken: 'sim-whatsapp-token',
  appSecret: 'sim-whatsapp-app-secret',
} as const

const displayNumber = '15550783881'

const faults: FaultAnswers = {
  serverError: () => graphError(500, { message: '(#131000) Something went wrong', code: 131000, details: 'Something went wrong' }),
  rateLimited: (seconds) => ({
    ...graphError(429, { message: '(#130429) Rate limit hit', code: 130429, details: 'Cloud API message throughput has been reached.' }),
    headers: { 'retry-after': String(seconds) },
  }),
  permanent: () =>
    graphError(400, {
      message: '(#131030) Recipient phone number not in allowed list',
      code: 131030,
      details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
    }),
}

export const whatsappSimulator: FastifyPluginAsync<SimulatorOptions> = async (app, options) => {
  const account = options.account ?? whatsappSimulatorDefaults.account
  const accessToken = options.accessToken ?? whatsappSimulatorDefaults.accessToken
  const state = new SimulatorState(
    { deliveredMs: options.deliveredDelayMs ?? 100, readMs: options.readDelayMs ?? 1000 },
    [...sendFaults, ...callbackFaults],
    options.webhookUrl ? { url: options.webhookUrl } : undefined,
  )
  const callbacks = createCallbacks(state, metaSigner(options.appSecret ?? whatsappSimulatorDefaults.appSecret))
  /** Media ids of what contacts sent, to the link the file is at. */
  const media = new Map<string, { url: string; mimeType: string }>()
  app.addHook('preClose', async () => state.stopping.abort())

  const envelope = (value: Record<string, unknown>) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: displayNumber, phone_number_id: account }, ...value }, field: 'messages' }],
      },
    ],
  })
  const statusBody = (id: string, waId: string, status: string) =>
    envelope({ statuses: [{ id, status, timestamp: epochSeconds(), recipient_id: waId }] })
  const reEngagementFailure = (id: string, waId: string) =>
    envelope({
      statuses: [
        {
          id,
          status: 'failed',
          timestamp: epochSeconds(),
          recipient_id: waId,
          errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } }],
        },
      ],
    })
  /** Off by default: most scenarios are about delivery, not Meta's messaging policy. */
  const window = { enforced: false, hours: 24 }
  /** When each contact (wa_id) last wrote in. */
  const lastWroteAt = new Map<string, number>()
  const windowOpen = (waId: string) => Date.now() - (lastWroteAt.get(waId) ?? Number.NEGATIVE_INFINITY) < window.hours * 3_600_000

  const authProblem = (token: string | undefined) =>
    token === accessToken ? undefined : graphError(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 })

  app.post<{ Params: { version: string; phoneNumberId: string }; Body: unknown }>('/:version/:phoneNumberId/messages', async (request, reply) => {
    const path = request.url
    const refused =
      authProblem(graphToken(request)) ??
      (request.params.phoneNumberId === account
        ? undefined
        : graphError(400, { message: `Unsupported post request. Object with ID '${request.params.phoneNumberId}' does not exist`, type: 'GraphMethodException', code: 100, error_subcode: 33 }))
    if (refused) return answer(state, path, reply, refused)
    if (await answerWithFault(state, path, faults, reply)) return
    const checked = checkWhatsAppSend(request.body)
    if ('error' in checked) return answer(state, path, reply, checked.error)
    if (checked.kind === 'read') return answer(state, path, reply, { status: 200, body: { success: true } })
    const id = platformId('wamid.')
    state.recordMessage({ id, at: Date.now(), ...checked.message })
    const waId = checked.message.to.replace(/^\+/, '')
    const { deliveredMs, readMs } = state.delays
    if (window.enforced && checked.message.type !== 'template' && !windowOpen(waId)) {
      callbacks.schedule([{ delayMs: 0, kind: 'status', body: reEngagementFailure(id, waId) }])
    } else callbacks.schedule([
      { delayMs: 0, kind: 'status', body: statusBody(id, waId, 'sent') },
      ...(deliveredMs === null ? [] : [{ delayMs: deliveredMs, kind: 'status', body: statusBody(id, waId, 'delivered') }]),
      ...(readMs === null ? [] : [{ delayMs: Math.max(readMs, deliveredMs ?? 0), kind: 'status', body: statusBody(id, waId, 'read') }]),
    ])
    return answer(state, path, reply, {
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: checked.message.to, wa_id: waId }], messages: [{ id }] },
    })
  })

  app.get<{ Params: { version: string; mediaId: string } }>('/:version/:mediaId', async (request, reply) => {
    const refused = authProblem(graphToken(request))
    const found = media.get(request.params.mediaId)
    if (refused) return reply.code(refused.status).send(refused.body)
    if (!found) {
      const missing = graphError(400, { message: `Unsupported get request. Object with ID '${request.params.mediaId}' does not exist`, type: 'GraphMethodException', code: 100, error_subcode: 33 })
      return reply.code(missing.status).send(missing.body)
    }
    return { messaging_product: 'whatsapp', url: found.url, mime_type: found.mimeType, sha256: '', file_size: 0, id: request.params.mediaId }
  })

  const sim: SimulatedPlatform = {
    platform: 'whatsapp',
    account,
    state,
    subscribeWebhook: (verifyToken) => metaHandshake(state.webhook?.url ?? '', verifyToken),
    contactProblem: (contact) => (/^\+?[1-9]\d{7,14}$/.test(contact) ? undefined : `'${contact}' is not a WhatsApp number (E.164)`),
    async contactSends(contact: string, message: ContactMessage) {
      const waId = contact.replace(/^\+/, '')
      lastWroteAt.set(waId, Date.now())
      const id = platformId('wamid.')
      const content = message.file ? fileContent(message.file, message.text, media) : { type: 'text', text: { body: message.text ?? '' } }
      const body = envelope({
        contacts: [{ profile: { name: message.name ?? `Contact ${waId.slice(-4)}` }, wa_id: waId }],
        messages: [{ ...(message.replyTo ? { context: { from: displayNumber, id: message.replyTo } } : {}), from: waId, id, timestamp: epochSeconds(), ...content }],
      })
      await callbacks.post('inbound', body)
      return { id }
    },
  }
  registerControlRoutes(app, sim)
  app.put<{ Body: { enforced: boolean; hours?: number } }>(
    '/_sim/window',
    {
      schema: {
        body: {
          type: 'object',
          required: ['enforced'],
          additionalProperties: false,
          properties: { enforced: { type: 'boolean' }, hours: { type: 'number', minimum: 0, maximum: 10_000 } },
        },
      },
    },
    async (request) => {
      window.enforced = request.body.enforced
      if (request.body.hours !== undefined) window.hours = request.body.hours
      return window
    },
  )
}

function fileContent(file: NonNullable<ContactMessage['file']>, caption: string | undefined, media: Map<string, { url: string; mimeType: string }>) {
  const type = mediaTypes.find((t) => t !== 'document' && file.mimeType.startsWith(`${t}/`)) ?? 'document'
  const mediaId = String(1_000_000_000_000_000 + media.size)
  media.set(mediaId, { url: file.url, mimeType: file.mimeType })
  return {
    type,
    [type]: {
      id: mediaId,
      mime_type: file.mimeType,
      sha256: '',
      ...(caption && type !== 'audio' ? { caption } : {}),
      ...(file.filename && type === 'document' ? { filename: file.filename } : {}),
    },
  }
}
