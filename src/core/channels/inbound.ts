/**
 * @module A contact's message, into a conversation (the rule is in docs/channels.md, "Inbound"):
 * the conversation of the message it replies to; else the one that last exchanged a message with
 * the contact through this account; else a private conversation with the account's owner. It is
 * appended like any message (a seq, the outbox), with the contact's address as sender, so internal
 * members get it live and in history and the other external members through their channels.
 *
 * An address a user linked as their own identity is that user writing: the message is theirs, it goes
 * where they are a member (the same rule, with the user in the contact's place), and failing that
 * into their private conversation with the account's owner.
 *
 * Exactly once: the message id is derived from the platform's event id, and appending an id seen
 * before is a no-op, so a redelivered webhook (also one racing the first) adds nothing.
 *
 * A message with a file is queued (durably) and taken in later by the inbound worker, which fetches
 * the file: the platform's webhook is answered at once, however large the file. That contact's
 * messages that arrive while one waits are queued behind it, so they keep the order they were sent in.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import type { CoreContext } from '../context.js'
import type { Connector, InboundMessage } from '../../ports/connector.js'
import type { QueuedChannelInbound } from '../../ports/channel-store.js'
import type { MessagePayload } from '../model.js'
import type { MediaStorer } from './inbound-media.js'
import type { ChannelAccounts } from './accounts.js'
import type { InboundMessageSink } from './webhooks.js'

/** A UUID-shaped id that is the same for the same event on every delivery and every process. */
export function inboundMessageId(channel: string, account: string, eventId: string): string {
  const hex = createHash('sha256').update(`${channel}\u0000${account}\u0000${eventId}`).digest('hex')
  // Version 8 (custom) UUID layout, so it passes wherever a UUID is expected.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** What a contact's message carries, as a Chat4All text. Inbound media is not fetched yet: its kind is named. */
function textOf(message: InboundMessage): string {
  const parts = [message.text, message.media ? `[${message.media.kind}${message.media.filename ? `: ${message.media.filename}` : ''}]` : undefined]
  return parts.filter(Boolean).join('\n') || '[message]'
}

export interface ChannelInbound {
  /** Takes a platform's contact messages in: at once, or queued when a file must be fetched first. */
  readonly receive: InboundMessageSink
  /** Takes one queued message in (fetching its file) and removes it from the queue. */
  takeQueued(item: QueuedChannelInbound): Promise<void>
}

export function createChannelInbound(deps: {
  readonly ctx: CoreContext
  readonly accounts: ChannelAccounts
  /** The Chat4All username that owns the channel accounts; the first admin when unset. */
  readonly ownerUsername?: string
  readonly logger: Logger
  /** Stores a contact's file as a Chat4All file; without it (or when it fails) the file is named in the text. */
  readonly storeMedia?: MediaStorer
  /** Something was queued: the inbound worker may look now. */
  readonly onQueued?: () => void
}): ChannelInbound {
  const { ctx, accounts, logger } = deps
  const store = ctx.store

  /** The private conversation of the account's owner with `sender`: a contact's address, or a user writing through their identity. */
  async function privateWithOwner(sender: { readonly kind: 'external' | 'user'; readonly id: string }): Promise<string | undefined> {
    const owner = await store.findChannelOwner(deps.ownerUsername)
    // The owner writing to their own business number has no one to talk to.
    if (!owner || owner === sender.id) return undefined
    const existing = await store.findPrivateConversation(owner, sender.id)
    if (existing) return existing.id
    const { conversation } = await store.createConversation({
      id: ctx.newId(),
      type: 'private',
      title: null,
      metadata: null,
      createdBy: owner,
      createdAt: ctx.now(),
      members: [
        { kind: 'user', id: owner, role: 'member' },
        { kind: sender.kind, id: sender.id, role: 'member' },
      ],
    })
    return conversation.id
  }

  async function payloadOf(connector: Connector, message: InboundMessage, conversationId: string): Promise<MessagePayload> {
    const media = message.media
    if (media && deps.storeMedia) {
      try {
        const stored = await deps.storeMedia(connector, media, conversationId)
        if (stored) return { type: 'file', file_id: stored.fileId, file: stored.file, ...(message.text ? { text: message.text } : {}) }
      } catch (error) {
        // The message still lands, naming the file: losing the text for a failed download would be worse.
        logger.warn({ err: error, eventId: message.eventId }, 'an inbound file could not be fetched')
      }
    }
    return { type: 'text', text: textOf(message) }
  }
  async function takeIn(channel: string, connector: Connector, message: InboundMessage): Promise<void> {
    const account = connector.account
    const address = `${channel}:${message.from}`
    const identity = await store.findIdentity(address)
    const sender = identity ? ({ kind: 'user', id: identity.userId } as const) : ({ kind: 'external', id: address } as const)
    const conversationId =
      (await store.findChannelConversation({ channel, account, address, member: sender.id, ...(message.replyTo ? { replyTo: message.replyTo } : {}) })) ??
      (await privateWithOwner(sender))
    if (!conversationId) {
      logger.warn({ channel, from: message.from }, 'an inbound message has no conversation: no channel owner (CHAT4ALL_CHANNEL_OWNER, or an admin) other than its sender')
      return
    }
    const payload = await payloadOf(connector, message, conversationId)
    const metadata = {
      channel,
      platform_message_id: message.platformMessageId,
      ...(message.fromName ? { from_name: message.fromName } : {}),
      // Which of the user's identities it came through: the sender is the user.
      ...(identity ? { via: address } : {}),
    }
    const id = inboundMessageId(channel, account, message.eventId)
    const bodyHash = createHash('sha256').update(JSON.stringify({ conversationId, payload, metadata })).digest('base64url')
    const result = await store.appendMessage({ id, conversationId, senderId: sender.id, payload, metadata, createdAt: ctx.now(), bodyHash })
    if (result.kind === 'not_found') {
      logger.warn({ channel, conversationId, from: message.from }, 'an inbound message could not be appended')
      return
    }
    await store.recordChannelInbound({
      channel,
      account,
      eventId: message.eventId,
      platformMessageId: message.platformMessageId,
      address,
      messageId: result.message.id,
      conversationId: result.message.conversationId,
      at: ctx.now(),
    })
  }

  return {
    async receive(channel, messages) {
      const connector = accounts.get(channel)?.connector
      if (!connector) return
      const account = connector.account
      let queued = false
      for (const message of messages) {
        if (await store.findChannelInbound(channel, message.eventId)) continue
        const address = `${channel}:${message.from}`
        const waits = (message.media !== undefined && deps.storeMedia !== undefined) || (await store.hasQueuedChannelInbound({ channel, account, address }))
        if (!waits) {
          await takeIn(channel, connector, message)
          continue
        }
        await store.queueChannelInbound({ channel, account, address, eventId: message.eventId, message: JSON.stringify(message), at: ctx.now() })
        queued = true
      }
      if (queued) deps.onQueued?.()
    },

    async takeQueued(item) {
      const connector = accounts.get(item.channel)?.connector
      if (connector) {
        // Taken in already (a crash after the append, before the removal): the append is a no-op then.
        await takeIn(item.channel, connector, JSON.parse(item.message) as InboundMessage)
      } else {
        logger.warn({ channel: item.channel, eventId: item.eventId }, 'a queued inbound message has no connector here any more: dropped')
      }
      await store.deleteQueuedChannelInbound(item.id)
    },
  }
}
