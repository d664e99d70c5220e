import { EventSource } from 'eventsource'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { eventually } from '../support/ws.js'

let server: TestPlatform

beforeAll(async () => {
  server = await startTestPlatform()
})
afterAll(() => server.stop())

const text = (t: string) => ({ type: 'text', text: t })

/**
 * A real EventSource (the `eventsource` package, WHATWG-conformant: it reconnects by itself and
 * sends Last-Event-ID). Its fetch is wrapped so a test can cut the connection like a network would,
 * and see the Last-Event-ID each request carried.
 */
function openEvents(path: string, headers: Record<string, string> = {}) {
  const frames: any[] = []
  const requests: (string | null)[] = []
  let cut = () => {}
  const source = new EventSource(`${server.url}${path}`, {
    fetch: async (input, init) => {
      const upstream = new AbortController()
      const signal = init?.signal ? AbortSignal.any([init.signal, upstream.signal]) : upstream.signal
      const sent = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0])
      for (const [k, v] of Object.entries(headers)) sent.set(k, v)
      requests.push(sent.get('last-event-id'))
      const response = await fetch(input, { ...init, headers: sent, signal })
      if (!response.body) return response
      // A cut surfaces as a network error (an abort would read as the client closing on purpose).
      let broken = false
      cut = () => {
        broken = true
        upstream.abort()
      }
      const reader = response.body.getReader()
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const { done, value } = await reader.read()
            if (done) controller.close()
            else controller.enqueue(value)
          } catch (error) {
            controller.error(broken ? new TypeError('network connection lost') : error)
          }
        },
        cancel: (reason) => reader.cancel(reason),
      })
      return new Response(body, { status: response.status, headers: response.headers })
    },
  })
  source.onmessage = (event) => frames.push({ ...JSON.parse(event.data), lastEventId: event.lastEventId })
  return {
    source,
    frames,
    requests,
    messages: () => frames.filter((f) => f.type === 'message.created').map((f) => f.message),
    cut: () => cut(),
  }
}

async function pair() {
  const alice = await newUser(server.url, 'alice')
  const bob = await newUser(server.url, 'bob')
  const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
  return { alice, bob, conversationId: created.body.conversation_id as string }
}

describe('Server-Sent Events', () => {
  it('streams the same events, each message with an id that resumes the stream', async () => {
    const { alice, bob, conversationId } = await pair()
    const events = openEvents(`/v1/events?token=${bob.token}`)
    await eventually(() => events.frames.some((f) => f.type === 'ready'), 'the stream is ready')
    await alice.post('/v1/messages', { conversation_id: conversationId, payload: text('hello over SSE') })
    await eventually(() => events.messages().length === 1, 'the message arrives')
    const frame = events.frames.find((f) => f.type === 'message.created')
    expect(frame).toMatchObject({ position: { conversation_id: conversationId, seq: 1 }, lastEventId: `${conversationId}:1` })
    expect(frame.message).toMatchObject({ content: 'hello over SSE', sender_id: alice.userId })
    expect(events.frames[0]).toMatchObject({ type: 'welcome', user_id: bob.userId })
    events.source.close()
  })

  it('reconnects by itself with Last-Event-ID: no gap, no duplicate, while the sender keeps sending', async () => {
    const { alice, bob, conversationId } = await pair()
    const events = openEvents('/v1/events', { authorization: `Bearer ${bob.token}` })
    await eventually(() => events.frames.some((f) => f.type === 'ready'), 'the stream is ready')
    let sent = 0
    let stop = false
    const sending = (async () => {
      while (!stop) {
        await alice.post('/v1/messages', { conversation_id: conversationId, payload: text(`m${sent + 1}`) })
        sent++
      }
    })()
    // Cut the connection three times; each time the sender goes on while the client reconnects.
    for (let round = 1; round <= 3; round++) {
      const seen = events.messages().length
      await eventually(() => events.messages().length >= seen + 10, `messages on connection ${round}`)
      events.cut()
      await eventually(() => events.requests.length === round + 1, `reconnection ${round}`)
    }
    const before = events.messages().length
    await eventually(() => events.messages().length >= before + 10, 'messages on the last connection')
    stop = true
    await sending
    await eventually(() => events.messages().length >= sent, `all ${sent} messages`, 30_000)
    expect(events.messages().map((m) => m.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1))
    expect(events.requests.length, 'one request per connection').toBe(4)
    expect(events.requests[0]).toBeNull()
    for (const id of events.requests.slice(1)) expect(id).toMatch(new RegExp(`^${conversationId}:\\d+$`))
    events.source.close()
  })

  it('refuses a missing or bad token with 401 problem+json', async () => {
    for (const path of ['/v1/events', '/v1/events?token=nope']) {
      const reply = await fetch(`${server.url}${path}`)
      expect(reply.status, path).toBe(401)
      expect(reply.headers.get('content-type')).toMatch(/problem\+json/)
      expect(await reply.json()).toMatchObject({ code: expect.stringMatching(/unauthorized|invalid_token/) })
    }
  })
})
