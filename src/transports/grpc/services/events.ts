/**
 * @module EventService.Subscribe: the live stream as a gRPC server stream. It opens a session of the
 * same stream hub the WebSocket and SSE use, so positions, replay, resume and the no-gap /
 * no-duplicate guarantee are theirs; this file only gives frames their gRPC form and ties the
 * session's life to the call's (a cancelled call or a passed deadline ends the session at once).
 */
import { Metadata, status as Status, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js'
import type { Authenticator } from '../../../core/authenticator.js'
import { errors } from '../../../core/errors.js'
import { closeCodes, type CloseCode, type StreamFrame, type StreamSink } from '../../../core/stream/frames.js'
import type { StreamHub } from '../../../core/stream/hub.js'
import { parseCursor } from '../../../core/stream/positions.js'
import type { StreamSession } from '../../../core/stream/session.js'
import { drained } from '../../drained.js'
import { cursorOf } from '../../ws/sse.js'
import { frameJson } from '../../ws/wire.js'
import { authenticate, failure, type ReportFailure } from '../call.js'
import { presentMessage, toStruct } from '../convert.js'
import type { ProtoMessage, SubscribeRequest } from '../wire-types.js'

type SubscribeCall = ServerWritableStream<SubscribeRequest, unknown>

/** How a session's close codes end a gRPC call; the WebSocket code also goes in `stream-close-code`. */
const closeStatus: Readonly<Record<CloseCode, Status>> = {
  [closeCodes.goingAway]: Status.UNAVAILABLE,
  [closeCodes.internal]: Status.INTERNAL,
  [closeCodes.badRequest]: Status.INVALID_ARGUMENT,
  [closeCodes.unauthorized]: Status.UNAUTHENTICATED,
  // A slow consumer: subscribe again at once with the last cursor.
  [closeCodes.resume]: Status.ABORTED,
}

/** The frame as a SubscribeResponse: the WebSocket's JSON in `data`, plus typed position, cursor and message. */
function toResponse(frame: StreamFrame, session: StreamSession | undefined): ProtoMessage {
  const { type, position, ...data } = JSON.parse(frameJson(frame)) as {
    type: string
    position: { conversation_id: string; seq: number } | null
  } & Record<string, unknown>
  const event = frame.kind === 'event' ? frame.event : undefined
  return {
    type,
    data: toStruct(data),
    ...(position ? { position, ...(session ? { cursor: cursorOf(session) } : {}) } : {}),
    ...(event?.type === 'message.created' ? { message: presentMessage({ ...event, id: event.messageId, bodyHash: '' }) } : {}),
  }
}

function sinkFor(call: SubscribeCall, limitBytes: number, session: () => StreamSession | undefined): StreamSink {
  let pending = 0
  const ended = () => call.cancelled || call.writableEnded
  return {
    send(frame) {
      if (ended()) return
      const response = toResponse(frame, session())
      // Bytes in flight, counted by the JSON size: the call is an object stream with no byte count of its own.
      const size = JSON.stringify(response).length
      pending += size
      call.write(response, () => {
        pending -= size
      })
    },
    bufferedBytes: () => pending,
    drained: () => drained(call, 'cancelled', () => pending <= limitBytes / 2 || ended()),
    close(code, reason) {
      if (ended()) return
      const metadata = new Metadata()
      metadata.set('stream-close-code', String(code))
      call.emit('error', { code: closeStatus[code], details: reason, metadata })
    },
  }
}

function positionsOf(request: SubscribeRequest): Map<string, number> {
  const positions = parseCursor(request.cursor ?? '', 'cursor')
  request.positions.forEach((position, i) => {
    const seq = position.seq ?? 0
    if (!position.conversation_id || !Number.isSafeInteger(seq) || seq < 0) {
      throw errors.validation(`positions[${i}]`, 'A position is a conversation_id and a seq ≥ 0')
    }
    positions.set(position.conversation_id.toLowerCase(), seq)
  })
  return positions
}

export interface EventServiceOptions {
  readonly hub: StreamHub
  readonly auth: Authenticator
  readonly report: ReportFailure
}

export function eventService({ hub, auth, report }: EventServiceOptions): UntypedServiceImplementation {
  return {
    Subscribe: (call: SubscribeCall) => {
      const start = async () => {
        const claims = await authenticate(auth, call.metadata)
        const positions = positionsOf(call.request)
        if (call.cancelled) return
        let session: StreamSession | undefined
        session = hub.open({
          userId: claims.userId,
          tokenExpiresAt: claims.expiresAt,
          positions,
          sink: sinkFor(call, hub.limits.bufferBytes, () => session),
        })
        // Cancelled by the client, or its deadline passed: the session leaves the hub now.
        call.on('cancelled', () => session?.ended())
        call.on('close', () => session?.ended())
      }
      start().catch((error: unknown) => {
        if (!call.cancelled) call.emit('error', failure(error, report, call.getPath()))
      })
    },
  }
}
