/**
 * @module The OpenAPI 3.1 document, generated from the routes' schemas (src/wire): served at
 * `/openapi.json` and `/openapi.yaml`, and rendered at `/docs` by Swagger UI from assets this
 * server serves itself (no CDN: the page works offline). Register before any route, so every
 * route is seen.
 */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Problem, StreamCommand, StreamFrame, streamFrames, WebhookPayload, webhookPayloads } from '../../wire/index.js'
import { publicDoc } from './openapi-doc.js'

export const DOCS_PATH = '/docs'

/**
 * The docs page loads its scripts, styles and the document from this server only. Swagger UI sets
 * inline styles on elements and draws its icons as data: images; nothing else is allowed.
 */
export const docsCsp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const tags = [
  { name: 'Accounts', description: 'Register, log in, refresh and end sessions; your account.' },
  { name: 'Conversations', description: 'Private and group conversations and their members.' },
  { name: 'Messages', description: 'Send, read history, receipts. Messages get a per-conversation `seq`.' },
  { name: 'Files', description: 'Simple and chunked uploads, metadata and signed downloads.' },
  { name: 'Files (tus)', description: 'Resumable uploads with the tus 1.0 protocol.' },
  { name: 'Identities', description: 'Your addresses on other platforms (WhatsApp, Instagram, Telegram).' },
  { name: 'Webhooks', description: 'Events POSTed to your endpoint, signed; the payloads are in the `webhooks` section.' },
  { name: 'Stream', description: 'The live stream: WebSocket and Server-Sent Events. Frames: components `StreamFrame` and `StreamCommand`.' },
  { name: 'Channels', description: 'Callbacks from the messaging platforms.' },
  { name: 'Admin', description: 'Operating the platform; admins only.' },
  { name: 'Operations', description: 'Health, readiness and this document.' },
]

/** Each webhook payload as an OpenAPI 3.1 `webhooks` entry: what your endpoint receives. */
function webhookEntries(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(webhookPayloads).map(([type, schema]) => [
      type,
      {
        post: {
          tags: ['Webhooks'],
          summary: `${type} delivered to your endpoint`,
          description:
            'Signed: `Chat4All-Signature: v1=<hex HMAC-SHA256 of "<Chat4All-Timestamp>.<body>" with the secret>`; the same `id` on every retry and replay. Answer 2xx within the timeout, or it is retried (docs/webhooks.md).',
          requestBody: { required: true, content: { 'application/json': { schema } } },
          responses: { '2XX': { description: 'Received' } },
        },
      },
    ]),
  )
}

function componentSchemas(): Record<string, unknown> {
  const frames = Object.fromEntries(
    Object.entries(streamFrames).map(([type, schema]) => [`StreamFrame.${type}`, schema]),
  )
  return { Problem, StreamFrame, StreamCommand, WebhookPayload, ...frames }
}

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chat4All API',
        version,
        description:
          'One API for Chat4All users and WhatsApp, Instagram and Telegram contacts. Errors are RFC 9457 problem+json; each operation lists the problem `type`s it may answer with, by status (docs/errors.md). Authenticate with `Authorization: Bearer <access_token>` from `POST /v1/auth/token`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access_token of POST /v1/auth/token' } },
        schemas: componentSchemas() as never,
      },
      security: [{ bearer: [] }],
      webhooks: webhookEntries() as never,
    },
  })

  const documentRoute = (format: 'json' | 'yaml') => ({
    schema: {
      ...publicDoc('Operations', `This document (${format.toUpperCase()})`),
      response: {
        200: {
          description: 'The OpenAPI 3.1 document',
          content: { [format === 'json' ? 'application/json' : 'application/yaml']: { schema: Type.Object({}, { additionalProperties: true }) } },
        },
      },
    },
  })
  app.get('/openapi.json', documentRoute('json'), async (_request, reply) => reply.type('application/json').serializer(JSON.stringify).send(app.swagger()))
  app.get('/openapi.yaml', documentRoute('yaml'), async (_request, reply) => reply.type('application/yaml').send(app.swagger({ yaml: true })))

  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    theme: { title: 'Chat4All API' },
    uiConfig: { validatorUrl: null, deepLinking: true, tryItOutEnabled: false, persistAuthorization: false },
    staticCSP: docsCsp,
  })
}
