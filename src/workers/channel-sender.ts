/**
 * @module The connector workers: take the due head of each (conversation, recipient) queue, send it
 * through the channel's connector behind its guard (pacing, circuit breaker), and record what
 * happened: the platform's message id and SENT/DELIVERED, a retry at the shared backoff (never
 * sooner than the platform's retry-after), or FAILED with a dead letter. Retries go back to the
 * store, not the bus, so a slow recipient never holds up anybody else.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { ChannelAccounts } from '../core/channels/accounts.js'
import { decideRetry } from '../core/channels/retry-delay.js'
import type { OutboxEvent } from '../core/model.js'
import type { RetryPolicy } from '../core/retry.js'
import { mediaKindOf } from '../core/channels/media-kind.js'
import type { MediaKind, OutboundContent } from '../ports/connector.js'
import type { ChannelDelivery } from '../ports/channel-store.js'
import type { Store } from '../ports/store.js'
import { channelsGroup } from './channel-router.js'

export interface ChannelSenderOptions {
  readonly store: Store
  readonly accounts: ChannelAccounts
  readonly policy: RetryPolicy
  /** Sends in flight in this process. */
  readonly concurrency: number
  /** How often to look for due retries and rows queued by other processes. */
  readonly pollMs: number
  /** A claimed row is left to this process that long; longer than a send with its pacing wait. */
  readonly leaseMs: number
  /** Only these channels (`serve --role connector --channels`); all configured ones when absent. */
  readonly channels?: readonly string[]
  readonly logger: Logger
  readonly now?: () => number
  /**
   * A link the platform can fetch the file from (a signed download URL), as the message's sender
   * may see it; undefined when it cannot be made (the file's name goes as text then).
   */
  readonly fileLink?: (fileId: string, senderId: string) => Promise<FileLink | undefined>
}

export interface FileLink {
  readonly url: string
  readonly mimeType: string
  readonly filename: string
}

export interface ChannelSender {
  run(signal: AbortSignal): Promise<void>
  /** New rows are queued: look now instead of at the next poll. */
  wake(): void
}

export function createChannelSender(options: ChannelSenderOptions): ChannelSender {
  const { store, accounts, logger } = options
  const now = options.now ?? Date.now
  let wakeUp: (() => void) | undefined
  let woken = false
  const wake = () => {
    woken = true
    wakeUp?.()
  }

  async function content(delivery: ChannelDelivery, media: readonly MediaKind[]): Promise<OutboundContent | undefined> {
    const message = await store.getMessage(delivery.messageId)
    if (!message) return undefined
    const { payload } = message
    if (payload.type === 'text') return { kind: 'text', text: payload.text }
    // Made at send time, not when queued: a retry hours later still hands the platform a live link.
    const link = await options.fileLink?.(payload.file_id, message.senderId)
    if (link && media.includes(mediaKindOf(link.mimeType))) {
      return { kind: 'file', url: link.url, mimeType: link.mimeType, filename: link.filename, ...(payload.text ? { caption: payload.text } : {}) }
    }
    // A kind the platform does not take by link goes as a text with the link, so the contact still gets it.
    const name = payload.file?.filename ?? payload.file_id
    return { kind: 'text', text: [payload.text, link ? `${name}: ${link.url}` : `[file: ${name}]`].filter(Boolean).join('\n') }
  }

  async function fail(delivery: ChannelDelivery, attempts: number, reason: string): Promise<void> {
    const message = await store.getMessage(delivery.messageId)
    // The dead letter holds the event that queued the delivery: replaying it re-drives the `channels` group.
    const event: OutboxEvent = {
      id: delivery.eventId,
      createdAt: message?.createdAt ?? now(),
      event: message
        ? { type: 'message.created', messageId: message.id, conversationId: message.conversationId, seq: message.seq, senderId: message.senderId, payload: message.payload, metadata: message.metadata, createdAt: message.createdAt }
        : { type: 'member.left', conversationId: delivery.conversationId, memberId: delivery.address, at: now() },
    }
    const at = now()
    const error = `${delivery.address}: ${reason}`
    await store.recordChannelFailed(delivery.id, { attempts, reason, at, deadLetter: { id: randomUUID(), group: channelsGroup, event, error, attempts, at } })
    logger.warn({ messageId: delivery.messageId, address: delivery.address, attempts, reason }, 'channel delivery failed')
  }

  async function deliver(delivery: ChannelDelivery, signal: AbortSignal): Promise<void> {
    const account = accounts.get(delivery.channel)
    const attempt = delivery.attempts + 1
    if (!account) return fail(delivery, attempt, `no connector for ${delivery.channel}`)
    const { connector, guard } = account
    const parsed = connector.addresses.parse(delivery.address.slice(delivery.channel.length + 1))
    if (!parsed.ok) return fail(delivery, attempt, `bad_recipient: ${parsed.reason}`)
    if (!parsed.sendable) return fail(delivery, attempt, `bad_recipient: ${delivery.address} cannot be sent to until it is resolved`)
    const body = await content(delivery, connector.capabilities.media)
    if (!body) return fail(delivery, attempt, 'the message no longer exists')
    // Read at send time, not when queued: a contact who wrote in meanwhile has reopened the window.
    const lastInboundAt = connector.capabilities.replyWindowHours
      ? await store.lastChannelInboundAt({ channel: delivery.channel, account: connector.account, address: delivery.address })
      : undefined
    try {
      // The signal cuts a pacing wait short, never a call in flight: stopping lets started sends finish and be recorded.
      const outbound = { to: parsed.id, content: body, ...(lastInboundAt !== undefined ? { lastInboundAt } : {}) }
      const result = await guard.run(parsed.id, () => connector.send(outbound), signal)
      await store.recordChannelSent(delivery.id, { platformMessageId: result.platformMessageId, status: result.status, at: now() })
    } catch (error) {
      if (signal.aborted) {
        // Stopped while waiting its turn, never sent: due again at once, for another worker or the next start.
        await store.recordChannelRetry(delivery.id, { attempts: delivery.attempts, nextAttemptAt: now(), error: 'stopped before sending' })
        return
      }
      const decision = decideRetry(error, attempt, options.policy)
      if (decision.retry) {
        const detail = error instanceof Error ? error.message : String(error)
        await store.recordChannelRetry(delivery.id, { attempts: attempt, nextAttemptAt: now() + decision.delayMs, error: detail })
      } else {
        await fail(delivery, attempt, decision.reason)
      }
    }
  }

  return {
    wake,
    async run(signal) {
      const inFlight = new Set<Promise<void>>()
      while (!signal.aborted) {
        woken = false
        const free = options.concurrency - inFlight.size
        const claimed =
          free > 0
            ? await store
                .claimChannelDeliveries({ now: now(), limit: free, leaseMs: options.leaseMs, channels: options.channels ?? accounts.channels() })
                .catch((error: unknown) => {
                  logger.error({ err: error }, 'claiming channel deliveries failed')
                  return []
                })
            : []
        for (const delivery of claimed) {
          const sending: Promise<void> = deliver(delivery, signal)
            .catch((error: unknown) => logger.error({ err: error, messageId: delivery.messageId }, 'recording a channel delivery failed'))
            .finally(() => {
              inFlight.delete(sending)
              wake()
            })
          inFlight.add(sending)
        }
        if (claimed.length > 0 && inFlight.size < options.concurrency) continue
        if (woken) continue
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, options.pollMs)
          function done() {
            clearTimeout(timer)
            signal.removeEventListener('abort', done)
            wakeUp = undefined
            resolve()
          }
          wakeUp = done
          signal.addEventListener('abort', done, { once: true })
        })
      }
      await Promise.all(inFlight)
    },
  }
}
