import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js'
import { Writable } from 'node:stream'
import pino from 'pino'
import { startPlatform, type Platform } from '../../src/app.js'
import { loadConfig } from '../../src/config/load.js'
import { generousRateLimits, tempDir } from '../support/platform.js'
import { StreamClient, eventually } from '../support/ws.js'

let receiver: OtlpReceiver
let server: Platform
const dir = tempDir()
/** Every log line the platform writes, parsed. */
const logs: Record<string, unknown>[] = []

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  const { config } = loadConfig({
    CHAT4ALL_DATA_DIR: dir.path,
    CHAT4ALL_PORT: '0',
    CHAT4ALL_HOST: '127.0.0.1',
    ...generousRateLimits,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: 'chat4all-test',
  })
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  server = await startPlatform(config, pino({ level: 'debug' }, sink))
})
afterAll(async () => {
  await server?.stop()
  await receiver?.close()
  dir.remove()
})

/** The chain from a span up to its trace's root, by parent ids. */
function ancestry(span: ReceivedSpan, all: readonly ReceivedSpan[]): string[] {
  const byId = new Map(all.map((s) => [s.spanId, s]))
  const names = [span.name]
  let parent = span.parentSpanId
  while (parent) {
    const next = byId.get(parent)
    if (!next) return [...names, `<missing ${parent}>`]
    names.push(next.name)
    parent = next.parentSpanId
  }
  return names
}

describe('tracing (OTLP over HTTP)', () => {
  it('follows one send in one trace: the HTTP request, the outbox relay, the routing and the push to a connection', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const conversationId = created.body.conversation_id as string
    const bobWs = await StreamClient.connect(server.url, { token: bob.token })
    const sent = await alice.post('/v1/messages', { conversation_id: conversationId, payload: { type: 'text', text: 'traced' } })
    expect(sent.status, "accepted").toBe(202)
    await bobWs.waitForMessages(conversationId, 1)
    await bobWs.close()

    const push = await eventually(() => receiver.spans.find((s) => s.name === 'push'), 'a push span reaches the receiver', 15_000)
    const trace = receiver.spans.filter((s) => s.traceId === push.traceId)
    expect(receiver.rejected, 'the exporter speaks OTLP/JSON to /v1/traces').toEqual([])
    expect(ancestry(push, trace), 'push ← route ← relay ← the send request, one chain').toEqual([
      'push',
      'route fanout',
      'relay',
      'POST /v1/messages',
    ])
    const root = trace.find((s) => s.name === 'POST /v1/messages')!
    expect(root.parentSpanId, 'the request span is the root').toBeUndefined()
    expect(root.serviceName).toBe('chat4all-test')
    const requestLog = logs.find((line) => line['msg'] === 'request completed' && line['url'] === '/v1/messages')
    expect(requestLog?.['trace_id'], 'the request\'s log line names its trace').toBe(push.traceId)
    // The other consumer groups route the same event in the same trace.
    const routes = trace.filter((s) => s.name.startsWith('route ')).map((s) => s.name)
    expect(routes).toEqual(expect.arrayContaining(['route fanout', 'route webhooks']))
  })

  it('continues a caller’s trace given in a traceparent header', async () => {
    const alice = await newUser(server.url, 'carol')
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const response = await fetch(`${server.url}/v1/conversations`, {
      headers: { authorization: `Bearer ${alice.token}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    })
    expect(response.status).toBe(200)
    const span = await eventually(() => receiver.spans.find((s) => s.traceId === traceId), 'the request span joins the caller’s trace', 15_000)
    expect(span).toMatchObject({ name: 'GET /v1/conversations', parentSpanId: '00f067aa0ba902b7' })
  })
})
