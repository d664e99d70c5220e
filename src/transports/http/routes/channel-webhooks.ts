/**
 * @module `GET|POST /v1/channels/{channel}/webhook`: where the platforms call us back. No JWT (the
 * platform authenticates by signature or secret token, checked by the connector over the raw
 * bytes), any content type kept as a Buffer, and 200 once what it carried is stored.
 */
import type { FastifyPluginAsync, FastifySchema } from 'fastify'
import type { ChannelWebhooks } from '../../../core/channels/webhooks.js'
import type { WebhookRequest } from '../../../ports/connector.js'
import { ChannelParams, problems } from '../../../wire/index.js'
import { publicDoc } from '../openapi-doc.js'

const schemaOf = (method: 'GET' | 'POST'): FastifySchema => ({
  ...publicDoc(
    'Channels',
    method === 'GET' ? 'A platform’s subscription handshake (WhatsApp, Instagram)' : 'Where a platform delivers messages and statuses',
    'Called by the platform, not by clients: no bearer token; the platform’s signature or secret token over the raw body is checked. Any content type; the answer is what the platform expects.',
  ),
  params: ChannelParams,
  response: {
    200: { description: 'Stored (or the handshake answer)', content: { '*/*': { schema: { type: 'string' } } } },
    ...problems('channel_not_found', 'channel_signature_invalid', 'validation_failed', 'payload_too_large'),
  },
})

const flatten = (record: Readonly<Record<string, unknown>>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key.toLowerCase(), Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value)]))

export function channelWebhookRoutes(webhooks: ChannelWebhooks): FastifyPluginAsync {
  return async (app) => {
    // Signatures cover the exact bytes: no JSON parsing in this scope.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

    const handler = async (
      request: { method: string; headers: Record<string, unknown>; query: unknown; body: unknown; params: unknown },
    ): Promise<{ status: number; contentType: string; body: string }> => {
      const { channel } = request.params as { channel: string }
      const webhook: WebhookRequest = {
        method: request.method,
        headers: flatten(request.headers),
        query: flatten((request.query ?? {}) as Record<string, unknown>),
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      }
      return webhooks.handle(channel, webhook)
    }
    for (const method of ['GET', 'POST'] as const) {
      app.route({
        method,
        url: '/v1/channels/:channel/webhook',
        schema: schemaOf(method),
        handler: async (request, reply) => {
          const answer = await handler(request)
          return reply.code(answer.status).type(answer.contentType).send(answer.body)
        },
      })
    }
  }
}
