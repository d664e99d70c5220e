/**
 * @module The stream's `send` command: POST /v1/messages over the WebSocket, with the same checks,
 * limits and idempotency, answered with `ok` once the message is durable.
 */
import type { CoreContext } from '../../core/context.js'
import { prepareSend } from '../../core/messaging.js'
import { enforceRate } from '../../core/rate-limits.js'
import type { StreamFrame } from '../../core/stream/frames.js'
import type { Answer, StreamSession } from '../../core/stream/session.js'
import type { SendCommand } from './commands.js'

/**
 * Prepares the send and starts its commit without waiting for it: the session goes on to the next
 * command meanwhile, so pipelined sends reach the store in the order sent and are written in the
 * same batches. The reply follows the commit.
 */
export async function startSend(ctx: CoreContext, session: StreamSession, command: SendCommand): Promise<Answer> {
  // The client learns nothing of a send after its connection ended; it resends by message_id.
  if (session.isClosed) return undefined
  try {
    // The same per-user budget as POST /v1/messages: one counter, whichever way a message comes in.
    await enforceRate(ctx.rateLimits, 'send', session.userId, ctx.now)
    const prepared = await prepareSend(ctx, session.userId, command.input)
    const later = prepared.commit().then(
      ({ created, message }): StreamFrame => ({ kind: 'ok', id: command.id, sent: { message, duplicate: !created } }),
      (error: unknown) => session.errorFrame(command.id, error),
    )
    return { later }
  } catch (error) {
    return session.errorFrame(command.id, error)
  }
}
