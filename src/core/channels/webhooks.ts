/**
 * @module A platform's webhook as it reaches us: authenticated by the connector (signature over the
 * raw body, secret token), parsed into our terms, and stored durably before we answer, so the
 * platform's own retries are the only retries (each callback is deduplicated by its event id).
 */
import { appError } from '../errors.js'
import type { InboundEvent, InboundMessage, StatusUpdate, WebhookAnswer, WebhookRequest } from '../../ports/connector.js'
import type { ChannelStatusUpdate, ChannelStore } from '../../ports/channel-store.js'
import type { ChannelAccounts } from './accounts.js'

export interface ChannelWebhooks {
  /** Answers a GET (Meta's subscription handshake) or a POST (events). Throws AppErrors. */
  handle(channel: string, request: WebhookRequest): Promise<WebhookAnswer>
}

/** What happens to inbound contact messages (routing phase 2); statuses are handled here. */
export type InboundMessageSink = (channel: string, events: readonly InboundMessage[]) => Promise<void>

const ok: WebhookAnswer = { status: 200, contentType: 'text/plain', body: 'ok' }

/** A platform status in the store's terms; undefined for SENT, which our own send already recorded. */
export function toStatusUpdate(channel: string, status: StatusUpdate): ChannelStatusUpdate | undefined {
  if (status.status === 'SENT') return undefined
  return {
    channel,
    account: status.account,
    eventId: status.eventId,
    address: `${channel}:${status.recipient}`,
    status: status.status,
    target: status.target,
    at: status.at,
    ...(status.failure ? { reason: `${status.failure.reason}: ${status.failure.detail}` } : {}),
  }
}

export interface IngestDeps {
  readonly store: ChannelStore
  readonly accounts: ChannelAccounts
  readonly onMessages?: InboundMessageSink
}

/** Stores what a platform told us, whether by webhook or by polling: statuses, then contacts' messages. */
export async function ingestEvents(deps: IngestDeps, channel: string, events: readonly InboundEvent[]): Promise<void> {
  for (const event of events) {
    if (event.kind !== 'status') continue
    const update = toStatusUpdate(channel, event)
    if (update) await deps.store.applyChannelStatus(update)
  }
  const messages = events.filter((e) => e.kind === 'message')
  if (messages.length > 0 && deps.onMessages) await deps.onMessages(channel, messages)
}

export function createChannelWebhooks(deps: IngestDeps): ChannelWebhooks {
  return {
    async handle(channel, request) {
      const account = deps.accounts.get(channel)
      if (!account) throw appError('channel_not_found', `No connector is configured for the channel '${channel}'`)
      const { connector } = account
      if (request.method === 'GET') {
        const answer = connector.answerHandshake?.(request)
        if (!answer) throw appError('channel_signature_invalid', 'Not a subscription handshake this channel answers')
        return answer
      }
      if (!connector.verifyWebhook(request)) throw appError('channel_signature_invalid', `The ${channel} webhook signature does not verify`)
      await ingestEvents(deps, channel, connector.parseWebhook(request))
      return ok
    },
  }
}
