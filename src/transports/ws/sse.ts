/**
 * @module The same stream as Server-Sent Events at `GET /v1/events`, for clients without
 * WebSockets. Each position-moving event carries an `id` that is the whole cursor, so the
 * browser's automatic reconnect resumes with `Last-Event-ID`. Read and delivered marks go through
 * the REST API (the stream is one-way).
 */
import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsync } from 'fastify'
import { errors } from '../../core/errors.js'
import type { StreamFrame, StreamSink } from '../../core/stream/frames.js'
import type { StreamHub } from '../../core/stream/hub.js'
import { formatCursor, parseCursor } from '../../core/stream/positions.js'
import type { StreamSession } from '../../core/stream/session.js'
import type { Authenticator } from '../../core/authenticator.js'
import { Type } from '@sinclair/typebox'
import { authProblems, EventsQuery, problems, type StreamFrameOf } from '../../wire/index.js'
import { doc } from '../http/openapi-doc.js'
import { drained } from '../drained.js'
import { tokenFrom } from './auth.js'
import { frameJson, movesPosition } from './wire.js'

export const EVENTS_PATH = '/v1/events'
/** How long an EventSource waits before reconnecting. */
const RETRY_MS = 1_000

/** The positions of the conversations this stream told the client about (also the gRPC stream's cursor). */
export function cursorOf(session: StreamSession): string {
  const entries: [string, number][] = []
  for (const id of session.touched) {
    const seq = session.positions.get(id)
    if (seq !== undefined) entries.push([id, seq])
  }
  return formatCursor(entries)
}

function sinkFor(res: ServerResponse, limitBytes: number, session: () => StreamSession | undefined): StreamSink {
  const write = (frame: StreamFrame) => {
    const current = session()
    const id = current && movesPosition(frame) ? `id: ${cursorOf(current)}\n` : ''
    res.write(`${id}data: ${frameJson(frame)}\n\n`)
  }
  return {
    send: write,
    bufferedBytes: () => res.writableLength,
    drained: () => drained(res, 'close', () => res.writableLength <= limitBytes / 2 || res.destroyed),
    close: (code, reason) => {
      if (res.writableEnded) return
      res.end(`data: ${JSON.stringify({ type: 'close', position: null, code, reason } satisfies StreamFrameOf<'close'>)}\n\n`)
    },
  }
}

export interface SseOptions {
  readonly hub: StreamHub
  readonly auth: Authenticator
}

export const sseRoutes =
  ({ hub, auth }: SseOptions): FastifyPluginAsync =>
  async (app) => {
    const open = new Set<ServerResponse>()
    const heartbeat = setInterval(() => {
      // A response ended by its session stays here until 'close'; writing to it would throw.
      for (const res of open) if (!res.writableEnded) res.write(': ping\n\n')
    }, hub.limits.heartbeatMs)
    heartbeat.unref()
    app.addHook('onClose', async () => clearInterval(heartbeat))

    const schema = {
      ...doc(
        'Stream',
        'The live stream as Server-Sent Events',
        'The same frames as the WebSocket (components `StreamFrame`), one per `data:` line; frames that move a position carry an `id` that is the whole cursor, so EventSource resumes by itself with Last-Event-ID.',
      ),
      querystring: EventsQuery,
      response: {
        200: { description: 'text/event-stream of StreamFrame objects', content: { 'text/event-stream': { schema: Type.String() } } },
        ...problems(authProblems, 'validation_failed'),
      },
    }
    app.get(EVENTS_PATH, { schema }, async (request, reply) => {
      const query = new URL(request.url, 'http://localhost').searchParams
      const token = tokenFrom(request.headers, query)
      if (!token) throw errors.unauthorized('A bearer token is required: Authorization header or ?token=')
      const { userId, expiresAt } = await auth.authenticate(token)
      const lastEventId = request.headers['last-event-id']
      const cursor = typeof lastEventId === 'string' ? lastEventId : (query.get('last_event_id') ?? query.get('positions') ?? '')
      const positions = parseCursor(cursor, typeof lastEventId === 'string' ? 'Last-Event-ID' : 'querystring.positions')

      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      })
      res.write(`retry: ${RETRY_MS}\n\n`)
      let session: StreamSession | undefined
      session = hub.open({ userId, tokenExpiresAt: expiresAt, positions, sink: sinkFor(res, hub.limits.bufferBytes, () => session) })
      open.add(res)
      res.on('close', () => {
        open.delete(res)
        session?.ended()
      })
    })
  }
