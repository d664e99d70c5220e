/**
 * @module What channel routing keeps in the store: one durable delivery row per (message, external
 * recipient), sent in seq order per (conversation, recipient) by the connector workers, and the
 * receipts the platforms' callbacks move (forward only). See docs/channels.md, "How routing works".
 */
import type { DeadLetter } from './dead-letter.js'

/** What the `channels` consumer group writes for each external recipient of a message. */
export interface ChannelDeliveryDraft {
  readonly messageId: string
  readonly conversationId: string
  readonly seq: number
  /** The member reference, `whatsapp:+5511999998888`. */
  readonly address: string
  readonly channel: string
  /** The connector account that sends it (phone number id, Instagram account id, bot id). */
  readonly account: string
}

export interface ChannelDelivery extends ChannelDeliveryDraft {
  readonly id: string
  /** The event that queued it: what a dead letter replays. */
  readonly eventId: string
  /** Attempts made so far. */
  readonly attempts: number
}

export interface ChannelClaim {
  readonly now: number
  readonly limit: number
  /** How long a claimed delivery is left to its worker before another may take it (a crashed worker). */
  readonly leaseMs: number
  /** Only these channels (a connector process serving some of them). */
  readonly channels: readonly string[]
}

/** Which of our messages a platform status is about, by the platform's message ids. */
export type ChannelStatusTarget =
  | { readonly kind: 'message'; readonly platformMessageId: string }
  /** This message and every earlier one sent to the same recipient by the same account. */
  | { readonly kind: 'up_to_message'; readonly platformMessageId: string }
  /** Every message sent to the recipient by the account at or before this epoch-ms instant. */
  | { readonly kind: 'up_to_time'; readonly at: number }

export interface ChannelStatusUpdate {
  readonly channel: string
  readonly account: string
  /** The platform's callback id: a callback seen before changes nothing. */
  readonly eventId: string
  /** The recipient's member reference, `whatsapp:+5511999998888`. */
  readonly address: string
  readonly status: 'DELIVERED' | 'READ' | 'FAILED'
  readonly target: ChannelStatusTarget
  readonly at: number
  readonly reason?: string
}

/** A contact's message we stored, by its platform ids: dedup, replies and "who wrote last". */
export interface ChannelInboundRecord {
  readonly channel: string
  readonly account: string
  /** The platform's dedup key (`wamid`, `mid`, `update_id`). */
  readonly eventId: string
  readonly platformMessageId: string
  readonly address: string
  readonly messageId: string
  readonly conversationId: string
  readonly at: number
}

/** A contact's message waiting to be taken in (its file fetched), in arrival order per contact. */
export interface QueuedChannelInbound {
  readonly id: string
  readonly channel: string
  readonly account: string
  readonly address: string
  /** The platform's dedup key: queued once. */
  readonly eventId: string
  /** The parsed message (`InboundMessage` of the connector port), as JSON. */
  readonly message: string
  readonly at: number
}

export interface ChannelStore {
  /**
   * Queues a delivery per draft, once per (message, address): a redelivered event adds nothing.
   * A FAILED delivery queued again by another event (a replayed dead letter) starts over: pending,
   * no attempts, its FAILED receipt withdrawn. Returns how many were queued or restarted.
   */
  queueChannelDeliveries(drafts: readonly ChannelDeliveryDraft[], eventId: string, now: number): Promise<number>
  /**
   * Takes, for a lease, the due head of each (conversation, address) queue: the pending delivery
   * with the lowest seq, when it is due and not leased. A later message never overtakes an earlier
   * one that waits for a retry. Oldest due first.
   */
  claimChannelDeliveries(claim: ChannelClaim): Promise<readonly ChannelDelivery[]>
  /**
   * The platform accepted it: records its id and moves the recipient's receipt to `status` (SENT, or
   * DELIVERED where acceptance is all the platform says), with a `message.status` event.
   */
  recordChannelSent(id: string, sent: { readonly platformMessageId: string; readonly status: 'SENT' | 'DELIVERED'; readonly at: number }): Promise<void>
  /** A transient failure: back to pending, due again at `nextAttemptAt`, lease released. */
  recordChannelRetry(id: string, retry: { readonly attempts: number; readonly nextAttemptAt: number; readonly error: string }): Promise<void>
  /**
   * Given up (permanent error or last attempt), in one write: the delivery FAILED, the recipient's
   * receipt FAILED with `reason` (unless it already moved past SENT), a `message.status` event,
   * and `deadLetter` kept for an admin to replay.
   */
  recordChannelFailed(id: string, failed: { readonly attempts: number; readonly reason: string; readonly at: number; readonly deadLetter: DeadLetter }): Promise<void>
  /**
   * Applies a platform's status callback to the receipts it covers, forward only (SENT → DELIVERED
   * → READ; FAILED only before DELIVERED, and final), each change with a `message.status` event.
   * A callback id seen before, or one that moves nothing, changes nothing. Returns the changes.
   */
  applyChannelStatus(update: ChannelStatusUpdate): Promise<number>
  /** When channel routing began on this store (epoch ms): older messages are never sent to contacts. */
  channelRoutingSince(): Promise<number>
  /** Keeps a send's `channels` (before its append); the first one kept for a message id stays. */
  saveMessageRoutes(messageId: string, channels: readonly string[]): Promise<void>
  /** The `channels` kept for each of these messages that has some. */
  getMessageRoutes(messageIds: readonly string[]): Promise<ReadonlyMap<string, readonly string[]>>
  /** The message an inbound event was stored as, if it was. */
  findChannelInbound(channel: string, eventId: string): Promise<ChannelInboundRecord | undefined>
  /** Remembers a stored inbound message; recording the same event again changes nothing. */
  recordChannelInbound(record: ChannelInboundRecord): Promise<void>
  /**
   * Where a contact's message goes, by the routing rule (docs/channels.md): the conversation of the
   * message it replies to (ours or theirs), else the conversation that last exchanged a message with
   * the contact through this account, where the contact is still a member; undefined otherwise.
   */
  findChannelConversation(query: {
    readonly channel: string
    readonly account: string
    readonly address: string
    readonly replyTo?: string
    /** Who must still be a member: the address itself (default), or the user whose linked identity it is. */
    readonly member?: string
  }): Promise<string | undefined>
  /** Queues a contact's message to be taken in later; false when that event is queued already. */
  queueChannelInbound(item: Omit<QueuedChannelInbound, 'id'>): Promise<boolean>
  /** True while a message of this contact waits in the queue (later ones must wait behind it). */
  hasQueuedChannelInbound(query: { readonly channel: string; readonly account: string; readonly address: string }): Promise<boolean>
  /** The oldest queued messages, in arrival order. */
  listQueuedChannelInbound(limit: number): Promise<readonly QueuedChannelInbound[]>
  deleteQueuedChannelInbound(id: string): Promise<void>
  /** When the contact last wrote to this account: the newest inbound message recorded from them. */
  lastChannelInboundAt(query: { readonly channel: string; readonly account: string; readonly address: string }): Promise<number | undefined>
  /** The account owner by username, or the first admin when no username is configured. */
  findChannelOwner(username: string | undefined): Promise<string | undefined>
}
