/**
 * The OpenAPI document against the server that publishes it: a valid OpenAPI 3.1 document, every
 * registered route in it, the stream's frames and the webhooks' payloads as received matching the
 * schemas it documents, the response check of every other suite (support/documented.ts) refusing a
 * wrong response, and the /docs page served whole by the platform itself (no CDN).
 */
import { isWebClientRoute } from '../../src/transports/http/routes/web.js'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv } from 'ajv'
import addFormatsImport from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { newUser } from '../support/client.js'
import { responseChecker } from '../support/documented.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { eventually, startReceiver } from '../support/receiver.js'
import { StreamClient } from '../support/ws.js'

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default

let server: TestPlatform
let document: any
beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' })
  document = await (await fetch(`${server.url}/openapi.json`)).json()
})
afterAll(() => server.stop())

const text = (t: string) => ({ type: 'text', text: t })

/** A validator for one of the document's own schemas (they are self-contained: no $refs). */
function validatorOf(schema: object) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  return ajv.compile(schema)
}

/** `/v1/conversations/:id` as the document writes it. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/**
 * Not API operations: the docs page's own pages and assets, the web client's page and assets, and
 * the platform simulators of the all-in-one shape (stand-ins for WhatsApp's, Instagram's and
 * Telegram's APIs, mounted under /_sim).
 */
const isNotApi = (url: string) => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/_sim/') || isWebClientRoute(url)

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, also as YAML', async () => {
    expect(document.openapi).toBe('3.1.0')
    const result = await new Validator().validate(document)
    expect(result.errors ?? [], JSON.stringify(result.errors ?? []).slice(0, 2000)).toEqual([])
    expect(result.valid).toBe(true)
    const yaml = await fetch(`${server.url}/openapi.yaml`)
    expect(yaml.headers.get('content-type')).toContain('yaml')
    const fromYaml = await new Validator().validate(await yaml.text())
    expect(fromYaml.valid).toBe(true)
  })

  it('documents every route the server registered', () => {
    const missing: string[] = []
    const routes = server.platform.http.routeTable
    for (const { method, url } of routes) {
      if (isNotApi(url)) continue
      // Fastify adds a HEAD beside each GET by itself: the GET documents it.
      if (method === 'HEAD' && routes.some((r) => r.method === 'GET' && r.url === url)) continue
      if (!document.paths[openApiPath(url)]?.[method.toLowerCase()]) missing.push(`${method} ${url}`)
    }
    expect(
      missing,
      `Undocumented route(s): ${missing.join(', ')}. Give each a schema with a summary and tags (doc() in src/transports/http/openapi-doc.ts) and its responses from src/wire.`,
    ).toEqual([])
  })

  it('gives every operation a tag, a summary, its parameters, a success and its problem types', () => {
    const problemType = /^https:\/\/chat4all\.dev\/problems\/[a-z_]+$/
    for (const [path, operations] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        const name = `${method.toUpperCase()} ${path}`
        expect(operation.tags?.length, name).toBeGreaterThan(0)
        expect(operation.summary, name).toBeTruthy()
        for (const param of path.match(/\{[^}]+\}/g) ?? []) {
          expect(operation.parameters?.some((p: any) => p.in === 'path' && `{${p.name}}` === param), `${name} ${param}`).toBe(true)
        }
        const statuses = Object.keys(operation.responses ?? {})
        expect(statuses.some((s) => s.startsWith('2') || s === '101'), name).toBe(true)
        for (const status of statuses.filter((s) => Number(s) >= 400)) {
          const schema = Object.values<any>(operation.responses[status].content ?? {})[0]?.schema
          const type = schema?.properties?.type
          const types = type?.anyOf ? type.anyOf.map((t: any) => t.const ?? t.enum?.[0]) : (type?.enum ?? [])
          expect(types.length, `${name} ${status} names its problem types`).toBeGreaterThan(0)
          for (const type of types) expect(type).toMatch(problemType)
        }
      }
    }
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(document.paths['/v1/auth/token'].post.security).toEqual([])
    expect(document.paths['/v1/messages'].post.responses['401']).toBeDefined()
    const sendBody = document.paths['/v1/messages'].post.requestBody.content['application/json']
    expect(sendBody.schema.anyOf.map((s: any) => s.title)).toEqual(['SendMessageBody', 'CompactSendMessageBody'])
    // The main calls come with examples, and every example is a valid body.
    for (const [path, method] of [['/v1/auth/register', 'post'], ['/v1/auth/token', 'post'], ['/v1/conversations', 'post'], ['/v1/messages', 'post'], ['/v1/webhooks', 'post']] as const) {
      const body = document.paths[path][method].requestBody.content['application/json']
      const examples = [...Object.values<any>(body.examples ?? {}).map((e) => e.value), ...('example' in body ? [body.example] : [])]
      expect(examples.length, `${method} ${path} has examples`).toBeGreaterThan(0)
      const validate = validatorOf(body.schema)
      for (const example of examples) expect(validate(example), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
  })

  it('describes the stream frames in components and every webhook payload in the webhooks section', () => {
    const frames = Object.keys(document.components.schemas).filter((name) => name.startsWith('StreamFrame.'))
    expect(frames).toEqual(expect.arrayContaining(['StreamFrame.message.created', 'StreamFrame.conversation.updated', 'StreamFrame.welcome', 'StreamFrame.error']))
    expect(document.components.schemas.StreamFrame.anyOf.length).toBe(frames.length)
    expect(Object.keys(document.webhooks).sort()).toEqual(
      ['conversation.created', 'conversation.updated', 'member.joined', 'member.left', 'message.created', 'message.status', 'webhook.test'].sort(),
    )
  })
})

describe('what the platform sends matches what the document says', () => {
  it('the stream and webhooks carry the documented frames and payloads, one shape for one event', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const hooks = await startReceiver()
    onTestFinished(() => hooks.close())
    expect((await alice.post('/v1/webhooks', { url: hooks.url, events: ['*'] })).status).toBe(201)
    const ws = await StreamClient.connect(server.url, { token: alice.token! })
    onTestFinished(async () => void (await ws.close()))

    const group = await alice.post('/v1/conversations', { type: 'group', title: 'docs', members: [bob.username] })
    const id = group.body.conversation_id as string
    await alice.post('/v1/messages', { conversation_id: id, payload: text('framed') })
    await bob.post(`/v1/conversations/${id}/read`, { up_to_seq: 1 })
    await alice.request('PATCH', `/v1/conversations/${id}`, { title: 'renamed' })
    await alice.delete(`/v1/conversations/${id}/members/${bob.userId}`)
    ws.send({ type: 'ping', id: 'p' })
    ws.send({ type: 'read', id: 'bad', conversation_id: 'nope', up_to_seq: 1 })

    const types = ['conversation.created', 'message.created', 'message.status', 'conversation.updated', 'member.left', 'pong', 'error']
    await ws.waitFor((f) => f.type === 'error', 'the error frame')
    await ws.waitFor((f) => f.type === 'member.left', 'member.left')
    await ws.waitFor((f) => f.type === 'pong', 'pong')
    for (const type of ['welcome', 'ready', ...types]) expect(ws.frames.map((f) => f.type)).toContain(type)
    const frameSchema = validatorOf(document.components.schemas.StreamFrame)
    for (const frame of ws.frames) expect(frameSchema(frame), `${frame.type}: ${JSON.stringify(frameSchema.errors)}`).toBe(true)

    const delivered = await eventually('five webhook deliveries', () => (hooks.delivered().length >= 5 ? hooks.delivered() : undefined))
    for (const { json } of delivered) {
      const schema = document.webhooks[json.type].post.requestBody.content['application/json'].schema
      const validate = validatorOf(schema)
      expect(validate(json), `${json.type}: ${JSON.stringify(validate.errors)}`).toBe(true)
      // The same event has the same data on the stream.
      const frame = ws.frames.find((f) => f.type === json.type)
      if (frame && json.type !== 'message.status') {
        const { type: _t, position: _p, ...data } = frame
        expect(json.data).toEqual(data)
      }
    }
  })

  it('the response check refuses a body or a status the document does not describe', async () => {
    const alice = await newUser(server.url, 'checked')
    const me = await alice.get('/v1/me')
    const check = responseChecker(document)
    expect(() => check.check('GET', '/v1/me', 200, me.body)).not.toThrow()
    expect(() => check.check('GET', '/v1/me', 200, { ...me.body, user_id: undefined })).toThrow(/does not match its documented schema/)
    expect(() => check.check('GET', '/v1/me', 200, { ...me.body, is_admin: 'no' })).toThrow(/is_admin|must be boolean/)
    expect(() => check.check('GET', '/v1/me', 418, me.body)).toThrow(/does not document/)
    // A problem whose type the operation does not list fails too.
    const problem = (await alice.get('/v1/conversations/00000000-0000-4000-8000-000000000000')).body
    expect(() => check.check('GET', '/v1/conversations/x', 404, problem)).not.toThrow()
    expect(() => check.check('GET', '/v1/conversations/x', 404, { ...problem, type: 'https://chat4all.dev/problems/webhook_not_found', code: 'webhook_not_found' })).toThrow(
      /does not match/,
    )
  })
})

describe('the docs page', () => {
  it('is served whole by the platform: the page and every asset it names, under a CSP that allows only this origin', async () => {
    const page = await fetch(`${server.url}/docs`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/https?:|\*/)
    const html = await page.text()
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length).toBeGreaterThan(3)
    for (const asset of assets) {
      const response = await fetch(new URL(asset, `${server.url}/docs`))
      expect(response.status, asset).toBe(200)
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0)
    }
    // The initializer points Swagger UI at the document on this server, without the online validator.
    const initializer = await (await fetch(`${server.url}/docs/static/swagger-initializer.js`)).text()
    expect(initializer.replace(/\/\/ .*$/gm, '')).not.toMatch(/https?:\/\//)
    expect(initializer).toContain('"validatorUrl":null')
    const spec = await fetch(`${server.url}/docs/json`)
    expect(spec.status).toBe(200)
    expect(((await spec.json()) as any).openapi).toBe('3.1.0')
  })
})

describe('PATCH /v1/conversations/{id}', () => {
  it('changes title and metadata for owners and admins, refuses members and strangers, and tells members through the stream and webhooks', async () => {
    const owner = await newUser(server.url, 'owner')
    const admin = await newUser(server.url, 'admin')
    const member = await newUser(server.url, 'member')
    const stranger = await newUser(server.url, 'stranger')
    const hooks = await startReceiver()
    onTestFinished(() => hooks.close())
    await member.post('/v1/webhooks', { url: hooks.url, events: ['conversation.updated'] })
    const group = await owner.post('/v1/conversations', { type: 'group', title: 'before', members: [member.username] })
    const id = group.body.conversation_id as string
    await owner.post(`/v1/conversations/${id}/members`, { members: [admin.username], role: 'admin' })
    const ws = await StreamClient.connect(server.url, { token: member.token! })
    onTestFinished(async () => void (await ws.close()))

    const renamed = await owner.request('PATCH', `/v1/conversations/${id}`, { title: 'after', metadata: { colour: 'blue' } })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ conversation_id: id, title: 'after', metadata: { colour: 'blue' } })
    const byAdmin = await admin.request('PATCH', `/v1/conversations/${id}`, { metadata: null })
    expect(byAdmin.body).toMatchObject({ title: 'after', metadata: null })

    expect((await member.request('PATCH', `/v1/conversations/${id}`, { title: 'mine' })).body).toMatchObject({ status: 403, code: 'forbidden' })
    expect((await stranger.request('PATCH', `/v1/conversations/${id}`, { title: 'mine' })).body).toMatchObject({ status: 404, code: 'conversation_not_found' })
    expect((await owner.request('PATCH', `/v1/conversations/${id}`, {})).body).toMatchObject({ status: 400, code: 'validation_failed' })
    expect((await owner.request('PATCH', `/v1/conversations/${id}`, { type: 'private' })).body).toMatchObject({ status: 400, field: 'type' })
    expect((await member.get(`/v1/conversations/${id}`)).body).toMatchObject({ title: 'after', metadata: null })

    const updates = await ws.waitFor((f) => f.type === 'conversation.updated' && f.metadata === null, 'both updates on the stream')
    expect(updates).toMatchObject({ conversation_id: id, title: 'after', position: null })
    expect(ws.frames.filter((f) => f.type === 'conversation.updated').map((f) => [f.title, f.metadata])).toEqual([
      ['after', { colour: 'blue' }],
      ['after', null],
    ])
    const delivered = await eventually('two conversation.updated webhooks', () => (hooks.delivered().length >= 2 ? hooks.delivered() : undefined))
    expect(delivered.map((r) => [r.json.type, r.json.data.title, r.json.data.metadata])).toEqual([
      ['conversation.updated', 'after', { colour: 'blue' }],
      ['conversation.updated', 'after', null],
    ])
  })
})

