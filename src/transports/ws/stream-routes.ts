/**
 * @module Registers the live stream on the API server: the WebSocket at `/v1/stream` (on the
 * server's upgrade event) and Server-Sent Events at `/v1/events`. At shutdown every connection is
 * closed with 1001 so clients reconnect elsewhere and resume.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import type { CoreContext } from '../../core/context.js'
import { errors } from '../../core/errors.js'
import { closeCodes } from '../../core/stream/frames.js'
import type { StreamHub } from '../../core/stream/hub.js'
import { problems, StreamQuery } from '../../wire/index.js'
import { doc } from '../http/openapi-doc.js'
import { sseRoutes } from './sse.js'
import { attachWebSocketTransport, STREAM_PATH } from './websocket.js'

export interface StreamRoutesOptions {
  readonly hub: StreamHub
  /** Tokens to authenticate connections, and the use cases the WebSocket's `send` command calls. */
  readonly ctx: CoreContext
  readonly logger: Logger
}

export const streamRoutes =
  ({ hub, ctx, logger }: StreamRoutesOptions): FastifyPluginAsync =>
  async (app) => {
    await app.register(sseRoutes({ hub, auth: ctx.auth }))
    // Reached only without upgrade headers: the upgrade itself never gets to Fastify's router.
    const schema = {
      ...doc(
        'Stream',
        'The live stream over a WebSocket',
        'Upgrade to a WebSocket (token in `Authorization`, `?token=` or the `bearer.<token>` subprotocol; resume with `?positions=`). Every frame is one JSON object: see components `StreamFrame` (server to client) and `StreamCommand` (client to server), and docs/stream.md. Without upgrade headers the answer is 426.',
      ),
      querystring: StreamQuery,
      response: {
        101: { description: 'Switching to the WebSocket protocol; frames are StreamFrame objects' },
        ...problems('upgrade_required'),
      },
    }
    app.get(STREAM_PATH, { schema }, async () => {
      throw errors.upgradeRequired('GET /v1/stream is a WebSocket; for Server-Sent Events use GET /v1/events')
    })
    const websocket = attachWebSocketTransport(app.server, { hub, auth: ctx.auth, logger, messaging: ctx })
    app.addHook('preClose', async () => {
      hub.closeAll(closeCodes.goingAway, 'server shutting down')
      await websocket.close()
    })
  }
