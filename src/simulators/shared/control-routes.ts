/**
 * @module The control API every simulator serves under `/_sim` (docs/channels.md): list what it
 * received, make a contact write, set the callback delays, queue faults, point the webhook.
 */
import type { FastifyInstance } from 'fastify'
import type { FaultKind, SimulatorState } from './state.js'

/** What a simulated contact sends to the business account. */
export interface ContactMessage {
  readonly text?: string
  readonly file?: { readonly url: string; readonly mimeType: string; readonly filename?: string }
  /** The platform message id it replies to. */
  readonly replyTo?: string
  /** The contact's display name, where the platform sends one. */
  readonly name?: string
}

export interface SimulatedPlatform {
  readonly platform: string
  /** The account the simulator plays (phone number id, Instagram account id, bot id). */
  readonly account: string
  readonly state: SimulatorState
  /** Checks the contact id as the platform would; a reason when it is not one. */
  contactProblem(contact: string): string | undefined
  /** Delivers the contact's message to the webhook (or the getUpdates queue); returns its platform id. */
  contactSends(contact: string, message: ContactMessage): Promise<{ readonly id: string }>
  /** Meta platforms: the GET handshake their dashboard makes when a webhook is subscribed. */
  subscribeWebhook?(verifyToken: string): Promise<{ readonly verified: boolean; readonly status: number | null }>
}

interface ContactBody {
  text?: string
  file?: { url: string; mime_type: string; filename?: string }
  reply_to?: string
  name?: string
}

const contactBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1 },
    file: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'mime_type'],
      properties: { url: { type: 'string', pattern: '^https?://' }, mime_type: { type: 'string' }, filename: { type: 'string' } },
    },
    reply_to: { type: 'string' },
    name: { type: 'string' },
  },
  anyOf: [{ required: ['text'] }, { required: ['file'] }],
} as const

const delaysBody = {
  type: 'object',
  additionalProperties: false,
  // Bounded like every number the platform takes: an hour at most.
  properties: { delivered_ms: { type: ['integer', 'null'], minimum: 0, maximum: 3_600_000 }, read_ms: { type: ['integer', 'null'], minimum: 0, maximum: 3_600_000 } },
} as const

const faultBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string' },
    times: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
    retry_after_seconds: { type: 'integer', minimum: 0, maximum: 86_400, default: 1 },
  },
} as const

const webhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { url: { type: 'string', pattern: '^https?://' }, secret: { type: 'string' } },
} as const

export function registerControlRoutes(app: FastifyInstance, sim: SimulatedPlatform): void {
  const { state } = sim
  const info = () => ({
    platform: sim.platform,
    account: sim.account,
    webhook: state.webhook?.url ?? null,
    delays: { delivered_ms: state.delays.deliveredMs, read_ms: state.delays.readMs },
    faults: state.faults,
    supported_faults: state.supportedFaults,
  })

  app.get('/_sim', async () => info())
  app.get('/_sim/messages', async () => ({ messages: state.received }))
  app.get('/_sim/requests', async () => ({ requests: state.attempts }))
  app.get('/_sim/callbacks', async () => ({ callbacks: state.callbacks }))

  app.post<{ Params: { contact: string }; Body: ContactBody }>('/_sim/contacts/:contact/messages', { schema: { body: contactBody } }, async (request, reply) => {
    const problem = sim.contactProblem(request.params.contact)
    if (problem) return reply.code(400).send({ error: problem })
    const { text, file, reply_to: replyTo, name } = request.body
    const message: ContactMessage = {
      ...(text === undefined ? {} : { text }),
      ...(file ? { file: { url: file.url, mimeType: file.mime_type, ...(file.filename ? { filename: file.filename } : {}) } } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(name ? { name } : {}),
    }
    return reply.code(201).send(await sim.contactSends(request.params.contact, message))
  })

  app.put<{ Body: { delivered_ms?: number | null; read_ms?: number | null } }>('/_sim/delays', { schema: { body: delaysBody } }, async (request) => {
    if (request.body.delivered_ms !== undefined) state.delays.deliveredMs = request.body.delivered_ms
    if (request.body.read_ms !== undefined) state.delays.readMs = request.body.read_ms
    return info()
  })

  app.post<{ Body: { kind: string; times: number; retry_after_seconds: number } }>('/_sim/faults', { schema: { body: faultBody } }, async (request, reply) => {
    const kind = request.body.kind as FaultKind
    if (!state.supportedFaults.includes(kind)) {
      return reply.code(400).send({ error: `unknown fault '${request.body.kind}' for ${sim.platform}; known: ${state.supportedFaults.join(', ')}` })
    }
    state.faults.push({ kind, remaining: request.body.times, retryAfterSeconds: request.body.retry_after_seconds })
    return reply.code(201).send(info())
  })
  app.delete('/_sim/faults', async () => {
    state.faults = []
    return info()
  })

  app.put<{ Body: { url: string; secret?: string } }>('/_sim/webhook', { schema: { body: webhookBody } }, async (request) => {
    state.webhook = { url: request.body.url, ...(request.body.secret ? { secret: request.body.secret } : {}) }
    return info()
  })
  app.delete('/_sim/webhook', async () => {
    state.webhook = undefined
    return info()
  })
  if (sim.subscribeWebhook) {
    const subscribe = sim.subscribeWebhook
    app.post<{ Body: { verify_token: string } }>(
      '/_sim/webhook/subscribe',
      { schema: { body: { type: 'object', required: ['verify_token'], properties: { verify_token: { type: 'string' } } } } },
      async (request, reply) => (state.webhook ? subscribe(request.body.verify_token) : reply.code(409).send({ error: 'no webhook set' })),
    )
  }
  app.post('/_sim/reset', async () => {
    state.reset()
    return info()
  })
}

