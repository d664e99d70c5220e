/**
 * Outbound webhooks end to end: a real platform and real HTTP receivers started by the test.
 * Loopback is allowed explicitly (CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS), as the SSRF guard refuses it by default.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { eventually, startReceiver, verifySignature, type Receiver } from '../support/receiver.js'

const fastRetries = {
  CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
  CHAT4ALL_WEBHOOK_RETRY_BASE_MS: '50',
  CHAT4ALL_WEBHOOK_RETRY_CAP_MS: '200',
  CHAT4ALL_WEBHOOK_TIMEOUT_MS: '1000',
}

let server: TestPlatform
beforeAll(async () => {
  server = await startTestPlatform(fastRetries)
})
afterAll(() => server.stop())

async function receiver(responder?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(responder)
  onTestFinished(() => started.close())
  return started
}

async function pair(url = server.url) {
  const alice = await newUser(url, 'alice')
  const bob = await newUser(url, 'bob')
  const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
  return { alice, bob, conversationId: created.body.conversation_id as string }
}

const say = (conversationId: string, text: string) => ({ conversation_id: conversationId, payload: { type: 'text', text } })

describe('webhook registration', () => {
  it('creates, lists, reads and deletes webhooks, showing the secret to the owner only', async () => {
    const { alice, bob } = await pair()
    const created = await alice.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message.created', '*'] })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      webhook_id: expect.any(String),
      url: 'http://127.0.0.1:9/hook',
      events: ['message.created', '*'],
      created_at: expect.any(String),
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    })
    const given = await alice.post('/v1/webhooks', { url: 'http://127.0.0.1:9/other', events: ['message.status'], secret: 'a-secret-of-my-own' })
    expect(given.body.secret).toBe('a-secret-of-my-own')
    const id = created.body.webhook_id as string
    const list = await alice.get('/v1/webhooks')
    expect(list.body.webhooks.map((w: { webhook_id: string }) => w.webhook_id)).toEqual([id, given.body.webhook_id])
    expect(list.body.webhooks[0]).not.toHaveProperty('secret')
    expect((await alice.get(`/v1/webhooks/${id}`)).body).toEqual(created.body)
    expect((await bob.get(`/v1/webhooks/${id}`)).body).toMatchObject({ status: 404, code: 'webhook_not_found' })
    expect((await bob.get('/v1/webhooks')).body.webhooks).toEqual([])
    expect((await bob.delete(`/v1/webhooks/${id}`)).status).toBe(404)
    expect((await alice.delete(`/v1/webhooks/${id}`)).status).toBe(204)
    expect((await alice.get(`/v1/webhooks/${id}`)).status).toBe(404)
  })

  it('refuses bad input with problem+json naming the field, and writes nothing', async () => {
    const { alice } = await pair()
    const url = 'http://127.0.0.1:9/hook'
    const cases: [unknown, string][] = [
      [{ events: ['*'] }, 'url'],
      [{ url, events: [] }, 'events'],
      [{ url }, 'events'],
      [{ url, events: ['message.created', 'message.nope'] }, 'events[1]'],
      [{ url, events: ['*'], secret: 'short' }, 'secret'],
      [{ url: 'ftp://127.0.0.1/hook', events: ['*'] }, 'url'],
      [{ url: 'not a url', events: ['*'] }, 'url'],
      [{ url: 'http://user:pw@127.0.0.1/hook', events: ['*'] }, 'url'],
      [{ url, events: ['*'], colour: 'blue' }, 'colour'],
    ]
    for (const [body, field] of cases) {
      const reply = await alice.post('/v1/webhooks', body)
      expect(reply.status, JSON.stringify(body)).toBe(400)
      expect(reply.headers.get('content-type')).toContain('application/problem+json')
      expect(reply.body, JSON.stringify(body)).toMatchObject({ code: 'validation_failed', field })
    }
    expect((await alice.get('/v1/webhooks')).body.webhooks).toEqual([])
    expect((await alice.get('/v1/webhooks/not-a-uuid')).body).toMatchObject({ status: 400, field: 'params.id' })
    const hook = await alice.post('/v1/webhooks', { url, events: ['*'] })
    const id = hook.body.webhook_id as string
    expect((await alice.get(`/v1/webhooks/${id}/deliveries?status=lost`)).body).toMatchObject({ field: 'querystring.status' })
    expect((await alice.get(`/v1/webhooks/${id}/deliveries?cursor=bogus`)).body).toMatchObject({ field: 'querystring.cursor' })
    const unknown = await alice.post(`/v1/webhooks/${id}/deliveries/${randomUUID()}/replay`)
    expect(unknown.body).toMatchObject({ status: 404, code: 'delivery_not_found' })
    alice.token = undefined
    expect((await alice.get('/v1/webhooks')).status).toBe(401)
  })
})

describe('webhook deliveries', () => {
  it('signs every delivery so the receiver can verify it, and sends only subscribed events', async () => {
    const hooks = await receiver()
    const { alice, bob, conversationId } = await pair()
    const webhook = await alice.post('/v1/webhooks', { url: hooks.url, events: ['message.created'] })
    const sent = await bob.post('/v1/messages', say(conversationId, 'signed, sealed'))
    await alice.get(`/v1/conversations/${conversationId}/messages`) // a message.status event nobody subscribed to
    await alice.post('/v1/messages', say(conversationId, 'and delivered'))
    const [first, second] = await eventually('two deliveries', () => (hooks.delivered().length >= 2 ? hooks.delivered() : undefined))
    expect(first!.json).toEqual({
      id: expect.any(String),
      type: 'message.created',
      created_at: expect.any(String),
      data: {
        // The message as history and the stream show it.
        message: {
          message_id: sent.body.message_id,
          conversation_id: conversationId,
          seq: 1,
          sender_id: bob.userId,
          payload: { type: 'text', text: 'signed, sealed' },
          content: 'signed, sealed',
          metadata: null,
          created_at: sent.body.created_at,
        },
      },
    })
    expect(second!.json).toMatchObject({ type: 'message.created', data: { message: { seq: 2, sender_id: alice.userId } } })
    expect(first!.headers).toMatchObject({
      'content-type': 'application/json',
      'chat4all-event-id': first!.json.id,
      'chat4all-event-type': 'message.created',
      'chat4all-webhook-id': webhook.body.webhook_id,
      'chat4all-attempt': '1',
      'chat4all-signature': expect.stringMatching(/^v1=[0-9a-f]{64}$/),
    })
    expect(verifySignature(webhook.body.secret, first!.headers, first!.body)).toBe(true)
    expect(verifySignature('another secret', first!.headers, first!.body)).toBe(false)
    expect(verifySignature(webhook.body.secret, first!.headers, first!.body.replace('sealed', 'forged'))).toBe(false)
    // The status event sits between the two messages in the conversation's order, so it would have come second.
    expect(hooks.requests.map((r) => r.json.type)).toEqual(['message.created', 'message.created'])
  })

  it('pings an endpoint on request and logs the attempt', async () => {
    const hooks = await receiver()
    const { alice } = await pair()
    const webhook = await alice.post('/v1/webhooks', { url: hooks.url, events: ['message.status'] })
    const id = webhook.body.webhook_id as string
    const test = await alice.post(`/v1/webhooks/${id}/test`)
    expect(test.status).toBe(202)
    expect(test.body).toMatchObject({ webhook_id: id, event_type: 'webhook.test', status: 'pending', conversation_id: null })
    const [ping] = await eventually('the ping', () => (hooks.delivered().length > 0 ? hooks.delivered() : undefined))
    expect(ping!.json).toMatchObject({ type: 'webhook.test', data: { webhook_id: id } })
    expect(verifySignature(webhook.body.secret, ping!.headers, ping!.body)).toBe(true)
    const delivery = await eventually('the delivery to be recorded', async () => {
      const reply = await alice.get(`/v1/webhooks/${id}/deliveries/${test.body.delivery_id}`)
      return reply.body.status === 'delivered' ? reply.body : undefined
    })
    expect(delivery.attempts).toEqual([{ attempt: 1, at: expect.any(String), status_code: 200, error: null, duration_ms: expect.any(Number) }])
  })

  it('delivers everything in order, per conversation, to a receiver that fails for a while then recovers', async () => {
    const hooks = await receiver(() => 503)
    const { alice, bob, conversationId: direct } = await pair()
    const carol = await newUser(server.url, 'carol')
    const group = (await alice.post('/v1/conversations', { type: 'group', members: [bob.username, carol.username] })).body
      .conversation_id as string
    const webhook = await alice.post('/v1/webhooks', { url: hooks.url, events: ['message.created'] })
    const count = 15
    const senders = [
      (async () => {
        for (let i = 1; i <= count; i++) await bob.post('/v1/messages', say(direct, `direct ${i}`))
      })(),
      (async () => {
        for (let i = 1; i <= count; i++) await [alice, bob, carol][i % 3]!.post('/v1/messages', say(group, `group ${i}`))
      })(),
    ]
    await eventually('several failed attempts', () => (hooks.requests.length >= 4 ? true : undefined))
    await Promise.all(senders)
    hooks.respond(() => 200)
    const delivered = await eventually('every event', () => (hooks.delivered().length >= 2 * count ? hooks.delivered() : undefined))
    expect(delivered).toHaveLength(2 * count)
    expect(new Set(delivered.map((r) => r.json.id)).size).toBe(2 * count)
    for (const conversation of [direct, group]) {
      const seqs = delivered.filter((r) => r.json.data['message']['conversation_id'] === conversation).map((r) => r.json.data['message']['seq'])
      expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1))
    }
    const failed = hooks.requests.filter((r) => r.status === 503)
    expect(failed.length).toBeGreaterThanOrEqual(4)
    const log = await alice.get(`/v1/webhooks/${webhook.body.webhook_id}/deliveries?limit=200`)
    expect(log.body.deliveries).toHaveLength(2 * count)
    expect(log.body.deliveries.every((d: { status: string }) => d.status === 'delivered')).toBe(true)
    const retried = log.body.deliveries.find((d: { attempt_count: number }) => d.attempt_count > 1)
    expect(retried.attempts[0]).toMatchObject({ attempt: 1, status_code: 503, error: 'HTTP 503: failing on purpose (503)' })
    expect(retried.attempts.at(-1)).toMatchObject({ status_code: 200, error: null })
  })

  it('bounds each attempt by the timeout and retries a hanging endpoint', async () => {
    let hang = true
    const hooks = await receiver(() => (hang ? 'hang' : 200))
    const { alice } = await pair()
    const webhook = await alice.post('/v1/webhooks', { url: hooks.url, events: ['*'] })
    const id = webhook.body.webhook_id as string
    const test = await alice.post(`/v1/webhooks/${id}/test`)
    const timedOut = await eventually('a timed-out attempt', async () => {
      const reply = await alice.get(`/v1/webhooks/${id}/deliveries/${test.body.delivery_id}`)
      return reply.body.attempts.length > 0 ? reply.body : undefined
    })
    expect(timedOut.attempts[0]).toMatchObject({ status_code: null, error: 'timed out after 1000 ms' })
    expect(timedOut.attempts[0].duration_ms).toBeGreaterThanOrEqual(900)
    expect(timedOut.attempts[0].duration_ms).toBeLessThan(5_000)
    hang = false
    await eventually('delivery once the endpoint answers', () => (hooks.delivered().length > 0 ? true : undefined))
  })
})

describe('webhooks with few attempts and a long timeout', () => {
  let small: TestPlatform
  beforeAll(async () => {
    small = await startTestPlatform({ ...fastRetries, CHAT4ALL_WEBHOOK_MAX_ATTEMPTS: '3', CHAT4ALL_WEBHOOK_TIMEOUT_MS: '20000' })
  })
  afterAll(() => small.stop())

  it('dead-letters after the last attempt, moves on, and replays on request', async () => {
    const hooks = await receiver(() => 500)
    const { alice, conversationId } = await pair(small.url)
    const webhook = await alice.post('/v1/webhooks', { url: hooks.url, events: ['message.created'] })
    const id = webhook.body.webhook_id as string
    await alice.post('/v1/messages', say(conversationId, 'one'))
    await alice.post('/v1/messages', say(conversationId, 'two'))
    const dead = await eventually('both dead-lettered', async () => {
      const reply = await alice.get(`/v1/webhooks/${id}/deliveries?status=dead`)
      return reply.body.deliveries.length === 2 ? reply.body.deliveries : undefined
    })
    for (const delivery of dead) {
      expect(delivery.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500])
      expect(delivery).toMatchObject({ next_attempt_at: null, finished_at: expect.any(String) })
    }
    expect(hooks.requests.map((r) => r.json.data['message']['seq'])).toEqual([1, 1, 1, 2, 2, 2])
    hooks.respond(() => 200)
    const first = dead.find((d: { event_id: string }) => d.event_id === hooks.requests[0]!.json.id)
    const replay = await alice.post(`/v1/webhooks/${id}/deliveries/${first.delivery_id}/replay`)
    expect(replay.status).toBe(202)
    expect(replay.body).toMatchObject({ event_id: first.event_id, replay_of: first.delivery_id, status: 'pending', attempts: [] })
    const [again] = await eventually('the replay', () => (hooks.delivered().length > 0 ? hooks.delivered() : undefined))
    expect(again!.headers['chat4all-event-id']).toBe(first.event_id)
    expect(again!.headers['chat4all-delivery-id']).toBe(replay.body.delivery_id)
    expect(again!.body).toBe(hooks.requests[0]!.body)
    expect(verifySignature(webhook.body.secret, again!.headers, again!.body)).toBe(true)
  })

  it('never lets a hanging endpoint delay another webhook or the message pipeline', async () => {
    const stuck = await receiver(() => 'hang')
    const healthy = await receiver()
    const { alice, bob, conversationId } = await pair(small.url)
    await alice.post('/v1/webhooks', { url: stuck.url, events: ['message.created'] })
    await bob.post('/v1/webhooks', { url: healthy.url, events: ['message.created'] })
    for (let i = 1; i <= 5; i++) {
      const sent = await alice.post('/v1/messages', say(conversationId, `m${i}`))
      expect(sent.status).toBe(202)
    }
    const history = await bob.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages).toHaveLength(5)
    const delivered = await eventually('the healthy webhook', () => (healthy.delivered().length >= 5 ? healthy.delivered() : undefined), 5_000)
    expect(delivered.map((r) => r.json.data['message']['seq'])).toEqual([1, 2, 3, 4, 5])
    // The stuck endpoint holds only the head of its conversation, within its 20 s timeout.
    await eventually('the stuck endpoint to be called', () => (stuck.requests.length > 0 ? true : undefined))
    expect(stuck.requests.map((r) => r.json.data['message']['seq'])).toEqual([1])
  })
})
