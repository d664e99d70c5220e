/**
 * GET /metrics end to end: the platform's metrics move as a message is sent, pushed, acknowledged,
 * read, delivered to a webhook and to a WhatsApp contact, and a file is uploaded; labels stay
 * bounded (route patterns, never ids).
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { simpleUpload } from '../support/files.js'
import { scrape } from '../support/metrics.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { eventually as until, startReceiver, type Receiver } from '../support/receiver.js'
import { StreamClient } from '../support/ws.js'

let server: TestPlatform
let hooks: Receiver
let admin: ApiClient

beforeAll(async () => {
  hooks = await startReceiver()
  server = await startTestPlatform({ CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' })
  // The first account of a platform is its admin.
  admin = await newUser(server.url, 'admin')
})
afterAll(async () => {
  await server.stop()
  await hooks.close()
})

describe('GET /metrics', () => {
  it('serves the Prometheus text format with the default Node.js metrics and the security headers', async () => {
    const response = await fetch(`${server.url}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const text = await response.text()
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m)
  })

  it('moves as a message goes from accept to push, DELIVERED and READ, with a webhook and a WhatsApp contact on the way', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const before = await scrape(server.url)
    const hook = await alice.post('/v1/webhooks', { url: hooks.url, events: ['message.created'] })
    expect(hook.status).toBe(201)
    const created = await alice.post('/v1/conversations', { type: 'group', title: 'metrics', members: [bob.username, 'whatsapp:+5511987654321'] })
    expect(created.status).toBe(201)
    const conversationId = created.body.conversation_id as string
    const bobWs = await StreamClient.connect(server.url, { token: bob.token! })
    const during = await scrape(server.url)
    expect(during.total('chat4all_stream_connections'), 'the open connection is counted').toBeGreaterThanOrEqual(1)
    expect(during.total('chat4all_stream_users')).toBeGreaterThanOrEqual(1)

    const sent = await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: 'measured' } })
    expect(sent.status).toBe(202)
    await bobWs.waitForMessages(conversationId, 1)
    bobWs.send({ type: 'ack', id: 'a1', conversation_id: conversationId, up_to_seq: 1 })
    bobWs.send({ type: 'read', id: 'r1', conversation_id: conversationId, up_to_seq: 1 })
    const missing = await alice.post('/v1/messages', { conversation_id: randomUUID(), payload: { type: 'text', text: 'nowhere' } })
    expect(missing.status).toBe(404)
    const upload = await simpleUpload(alice, Buffer.alloc(4096, 7), 'bytes.bin')
    expect(upload.status).toBe(201)
    expect((await fetch(`${server.url}/no/such/${randomUUID()}`)).status).toBe(404)

    const grew = (name: string, labels?: Record<string, string>) => async () => {
      const now = await scrape(server.url)
      return now.total(name, labels) > before.total(name, labels) ? now : undefined
    }
    await until('READ latency observed', grew('chat4all_message_delivery_latency_seconds_count', { stage: 'read' }))
    await until('the webhook delivered', grew('chat4all_webhook_deliveries_total', { outcome: 'delivered' }))
    const after = await until('the WhatsApp send counted', grew('chat4all_connector_sends_total', { channel: 'whatsapp', outcome: 'sent' }))
    await bobWs.close()

    const moved = (name: string, labels?: Record<string, string>) =>
      expect(after.total(name, labels) - before.total(name, labels), `${name} ${JSON.stringify(labels ?? {})} moved`).toBeGreaterThan(0)
    moved('chat4all_messages_accepted_total')
    moved('chat4all_messages_rejected_total', { reason: 'conversation_not_found' })
    moved('chat4all_message_accept_duration_seconds_count')
    for (const stage of ['pushed', 'delivered', 'read']) moved('chat4all_message_delivery_latency_seconds_count', { stage })
    moved('chat4all_http_request_duration_seconds_count', { route: '/v1/messages', method: 'POST', status_code: '202' })
    moved('chat4all_http_request_duration_seconds_count', { route: 'unmatched', method: 'GET', status_code: '404' })
    moved('chat4all_bus_published_events_total')
    moved('chat4all_bus_consumed_events_total', { group: 'fanout' })
    moved('chat4all_bus_handler_duration_seconds_count', { group: 'webhooks' })
    moved('chat4all_stream_frames_sent_total')
    moved('chat4all_webhook_delivery_duration_seconds_count', { outcome: 'delivered' })
    moved('chat4all_blob_bytes_total', { direction: 'in' })
    moved('chat4all_store_query_duration_seconds_count', { operation: 'appendMessage' })
    expect(after.total('chat4all_connector_breaker_state', { channel: 'whatsapp' }), 'closed').toBe(0)
    expect(after.samples.some((s) => s.name === 'chat4all_outbox_events'), 'the outbox depth is reported').toBe(true)
    expect(after.samples.some((s) => s.name === 'chat4all_outbox_oldest_event_age_seconds')).toBe(true)

    // Bounded labels: no id of a user, a conversation or a message in any label value.
    const ids = [alice.userId, bob.userId, conversationId, sent.body.message_id as string]
    const leaks = after.samples.filter((s) => Object.values(s.labels).some((value) => ids.some((id) => value.includes(id))))
    expect(leaks.map((s) => s.name)).toEqual([])
  })

  it('serves the admin summary to admins only', async () => {
    const stats = await admin.get('/v1/admin/stats')
    expect(stats.status).toBe(200)
    expect(stats.body).toMatchObject({
      users: expect.any(Number),
      conversations: expect.any(Number),
      dead_letters: 0,
      outbox: { depth: expect.any(Number), oldest_age_ms: expect.any(Number) },
      process: { roles: ['api', 'worker', 'relay', 'connector'], connected_clients: 0 },
    })
    expect(stats.body.users, 'admin, alice, bob at least').toBeGreaterThanOrEqual(3)
    expect(stats.body.conversations).toBeGreaterThanOrEqual(1)
    expect(stats.body.process.messages_per_minute, 'the message of the previous test').toBeGreaterThanOrEqual(1)
    const stranger = await newUser(server.url, 'stranger')
    const refused = await stranger.get('/v1/admin/stats')
    expect(refused.status).toBe(403)
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect((await new ApiClient(server.url).get('/v1/admin/stats')).status).toBe(401)
  })
})
