/**
 * @module `GET /v1/stream` as a WebSocket on the API port (the `ws` package, without compression:
 * it is what keeps an idle connection small). Authentication problems close with 4001 after the
 * upgrade, so browsers, which never see a refused handshake's status, learn the reason too.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import type { CoreContext, Limits } from '../../core/context.js'
import { errors, isAppError } from '../../core/errors.js'
import { closeCodes, type StreamSink } from '../../core/stream/frames.js'
import type { StreamHub } from '../../core/stream/hub.js'
import { parseCursor } from '../../core/stream/positions.js'
import type { Answer, StreamSession } from '../../core/stream/session.js'
import type { Authenticator } from '../../core/authenticator.js'
import type { AccessClaims, TokenService } from '../../core/tokens.js'
import { chooseProtocol, tokenFrom } from './auth.js'
import { commandId, parseCommand, type StreamCommand } from './commands.js'
import { startSend } from './send.js'
import { frameBytes } from './wire.js'

export const STREAM_PATH = '/v1/stream'
/** Commands other than `send` are small. */
const MAX_COMMAND_FRAME = 16 * 1024
const POLL_CLOSE_MS = 10
const DRAIN_FALLBACK_MS = 250
const CLOSE_GRACE_MS = 1_000

export interface WebSocketTransportOptions {
  readonly hub: StreamHub
  /** Checks the token and that its account still exists, before the upgrade is completed. */
  readonly auth?: Authenticator
  /** Without `auth`: the signature alone is checked (the stream layer without accounts, as bench/stream runs it). */
  readonly tokens?: TokenService
  readonly logger: Logger
  /** What the `send` command accepts messages with; without it (the stream layer alone) it is refused. */
  readonly messaging?: CoreContext
}

/**
 * A `send` frame carries a whole message: its text and metadata at the limits, even written with
 * JSON's six-byte escapes, and room for the rest of the frame.
 */
const maxClientFrame = (limits: Limits | undefined) =>
  limits ? Math.max(MAX_COMMAND_FRAME, 6 * (limits.maxTextBytes + limits.maxMetadataBytes) + MAX_COMMAND_FRAME) : MAX_COMMAND_FRAME

/**
 * Hands a connection's commands to its session, and stops reading the socket while more than
 * `limitBytes` of them wait to start (pipelined sends waiting for room), so they wait in the
 * client's socket rather than in our memory.
 */
function intake(ws: WebSocket, session: StreamSession, limitBytes: number) {
  let waitingBytes = 0
  return (bytes: number, work: () => Promise<Answer> | Answer) => {
    waitingBytes += bytes
    if (waitingBytes > limitBytes && !ws.isPaused) ws.pause()
    session.submit(() => {
      waitingBytes -= bytes
      if (ws.isPaused && waitingBytes <= limitBytes / 2) ws.resume()
      return work()
    })
  }
}

/** A close reason is at most 123 bytes. */
const reasonOf = (message: string) => Buffer.from(message).subarray(0, 123).toString()

function sinkFor(ws: WebSocket, socket: Duplex, limitBytes: number): StreamSink {
  /** Bytes of this tick's frames, held back by the cork: batched, not refused by the network. */
  let corkedBytes = 0
  const uncork = () => {
    corkedBytes = 0
    socket.uncork()
  }
  const refused = () => Math.max(0, ws.bufferedAmount - corkedBytes)
  return {
    send: (frame) => {
      // Frames sent in the same tick (a batch of events) leave in one write, not one syscall each.
      if (corkedBytes === 0) {
        socket.cork()
        process.nextTick(uncork)
      }
      const bytes = frameBytes(frame)
      corkedBytes += bytes.length + 10
      ws.send(bytes, { binary: false })
    },
    bufferedBytes: refused,
    drained: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState !== ws.OPEN || refused() <= limitBytes / 2) return resolve()
        // Past the socket's high-water mark, so Node emits 'drain' once the buffer is written out;
        // the timer only guards against waiting forever should it not.
        const done = () => {
          clearTimeout(timer)
          socket.off('drain', done)
          socket.off('close', done)
          resolve()
        }
        const timer = setTimeout(done, DRAIN_FALLBACK_MS)
        socket.on('drain', done)
        socket.on('close', done)
      }),
    close: (code, reason) => ws.close(code, reasonOf(reason)),
  }
}

export function attachWebSocketTransport(server: Server, options: WebSocketTransportOptions): { close(): Promise<void> } {
  const { hub, logger, messaging } = options
  const auth: Pick<Authenticator, 'authenticate'> = options.auth ?? {
    authenticate: async (token) => {
      if (!options.tokens) throw errors.unauthorized('This stream accepts no tokens')
      return options.tokens.verifyAccess(token)
    },
  }
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: maxClientFrame(messaging?.limits),
    handleProtocols: (offered) => chooseProtocol(offered),
  })
  const sockets = new Set<WebSocket>()
  const silent = new Set<WebSocket>()

  // One timer for every connection: a peer that missed a whole interval's ping is gone.
  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (silent.has(ws)) {
        ws.terminate()
        continue
      }
      silent.add(ws)
      ws.ping()
    }
  }, hub.limits.heartbeatMs)
  heartbeat.unref()

  const work = (session: StreamSession, command: StreamCommand): (() => Promise<Answer>) => {
    if (command.type !== 'send') return () => session.handle(command)
    if (messaging) return () => startSend(messaging, session, command)
    return () => Promise.resolve(session.errorFrame(command.id, errors.validation('type', 'This stream does not accept send')))
  }

  type Submit = ReturnType<typeof intake>
  const onMessage = (ws: WebSocket, session: StreamSession, submit: Submit, data: Buffer, isBinary: boolean) => {
    // Replies to commands bypass the event queue; a client that sends but never reads must not make
    // them pile up without bound, so past the buffer limit it is a slow consumer like any other.
    if (ws.bufferedAmount > hub.limits.bufferBytes) {
      return session.close(closeCodes.resume, 'buffer overflow: read your frames, reconnect and resume')
    }
    if (isBinary) {
      return submit(data.length, () => session.errorFrame(undefined, errors.validation('frame', 'Send text frames of JSON')))
    }
    try {
      const command = parseCommand(data.toString('utf8'), session.userId)
      submit(data.length, work(session, command))
    } catch (error) {
      let id: string | undefined
      try {
        id = commandId(JSON.parse(data.toString('utf8')))
      } catch {
        id = undefined
      }
      submit(data.length, () => session.errorFrame(id, error))
    }
  }

  const onConnection = (ws: WebSocket, socket: Duplex, url: URL, caller: AccessClaims | Error) => {
    if (caller instanceof Error) return ws.close(closeCodes.unauthorized, reasonOf(isAppError(caller) ? caller.message : 'invalid token'))
    const { userId, expiresAt } = caller
    let positions: Map<string, number>
    try {
      positions = parseCursor(url.searchParams.get('positions') ?? '', 'positions')
    } catch (error) {
      return ws.close(closeCodes.badRequest, reasonOf(isAppError(error) ? error.message : 'bad positions'))
    }
    const session = hub.open({ userId, tokenExpiresAt: expiresAt, positions, sink: sinkFor(ws, socket, hub.limits.bufferBytes) })
    const submit = intake(ws, session, hub.limits.bufferBytes)
    sockets.add(ws)
    ws.on('pong', () => silent.delete(ws))
    ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(ws, session, submit, data, isBinary))
    ws.on('error', (err) => logger.debug({ err, userId }, 'websocket error'))
    ws.on('close', () => {
      sockets.delete(ws)
      silent.delete(ws)
      session.ended()
    })
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname !== STREAM_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    // The account is looked up (usually in the authenticator's cache) before the upgrade completes,
    // so no frame of a deleted or revoked account's ever reaches a session.
    const token = tokenFrom(request.headers, url.searchParams)
    const caller = token
      ? auth.authenticate(token).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      : Promise.resolve(errors.unauthorized('A bearer token is required: Authorization header, ?token= or subprotocol'))
    void caller.then((verdict) => wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, socket, url, verdict)))
  }
  server.on('upgrade', onUpgrade)

  return {
    async close() {
      clearInterval(heartbeat)
      server.off('upgrade', onUpgrade)
      // Sessions were closed with 1001 by the hub: give peers a moment to answer, then cut the rest.
      const deadline = Date.now() + CLOSE_GRACE_MS
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_CLOSE_MS))
      for (const ws of sockets) ws.terminate()
      wss.close()
    },
  }
}
