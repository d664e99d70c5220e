/**
 * @module The connector port: what Chat4All needs from an external messaging platform (WhatsApp,
 * Instagram, Telegram, …). One connector instance speaks for one platform account (a business
 * number, an Instagram professional account, a bot). Every connector passes `connector.contract.ts`
 * against a simulator of its platform; `docs/connectors.md` walks through writing one.
 *
 * Everything here is in Chat4All's terms: platform wire formats never cross this boundary.
 */
import type { DeliveryFailureReason } from './delivery-error.js'

export { DeliveryError, isPermanentReason, type DeliveryFailureReason } from './delivery-error.js'

/** How a platform refers to one contact, after the `<channel>:` prefix of an address. */
export type AddressParse =
  | {
      readonly ok: true
      /** The canonical form: two spellings of one contact normalise to the same string. */
      readonly id: string
      /**
       * False when the platform cannot be sent to by this form yet (an Instagram `@handle` must be
       * resolved to its IGSID first); the address is still valid as a member reference.
       */
      readonly sendable: boolean
    }
  | { readonly ok: false; readonly reason: string }

/**
 * A channel's address scheme: which ids its contacts have and how they are normalised. The core
 * validates `<channel>:<id>` member references through these instead of patterns of its own.
 */
export interface AddressScheme {
  /** The address prefix, lower case: `whatsapp` in `whatsapp:+5511999998888`. */
  readonly channel: string
  /** What an id looks like, for error messages and docs: "an E.164 phone number (+5511999998888)". */
  readonly describe: string
  /** Validates and normalises the part after the colon. Pure; never does I/O. */
  parse(id: string): AddressParse
}

/** A platform-independent kind of attachment, chosen from the MIME type (`core/channels/media-kind.ts`). */
export type MediaKind = 'image' | 'video' | 'audio' | 'document'

export type OutboundContent =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'file'
      /** A link the platform fetches itself (a signed download URL that lives long enough). */
      readonly url: string
      readonly mimeType: string
      readonly filename?: string
      /** Text sent with the file, where the platform has captions. */
      readonly caption?: string
    }

export interface OutboundMessage {
  /** The recipient's normalised id under this connector's scheme (no `<channel>:` prefix). */
  readonly to: string
  readonly content: OutboundContent
  /** The platform message id this one answers, where the platform threads replies. */
  readonly replyTo?: string
  /**
   * When the contact last wrote to this account (epoch ms), for platforms with a reply window
   * (`capabilities.replyWindowHours`); absent when they never did or the platform has none.
   */
  readonly lastInboundAt?: number
}

export interface SendResult {
  /** The platform's id of the sent message: statuses and replies refer to it. */
  readonly platformMessageId: string
  /**
   * The status the platform's acceptance already proves: SENT where delivery is reported later by
   * callback, DELIVERED where acceptance is all the platform will ever say (see capabilities).
   */
  readonly status: 'SENT' | 'DELIVERED'
}

export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ' | 'FAILED'

/** Where an inbound file can be fetched from. */
export type MediaSource =
  | { readonly kind: 'url'; readonly url: string }
  /** A platform handle to exchange through `Connector.resolveMedia` (WhatsApp media id, Telegram file_id). */
  | { readonly kind: 'platform'; readonly mediaId: string }

export interface InboundMedia {
  readonly kind: MediaKind
  readonly source: MediaSource
  readonly mimeType?: string
  readonly filename?: string
}

export interface InboundMessage {
  readonly kind: 'message'
  /** Unique per platform account and stable across redeliveries: the dedup key (`wamid`, `mid`, `update_id`). */
  readonly eventId: string
  readonly platformMessageId: string
  /** The account that received it (phone number id, Instagram account id, bot id). */
  readonly account: string
  /** The sender's normalised id under the connector's scheme. */
  readonly from: string
  /** The sender's display name, when the platform tells it. */
  readonly fromName?: string
  /** Epoch milliseconds, by the platform's clock. */
  readonly sentAt: number
  /** The text, or the caption of a file. */
  readonly text?: string
  readonly media?: InboundMedia
  /** The platform message id this message replies to. */
  readonly replyTo?: string
}

/** Which of our messages a status is about. */
export type StatusTarget =
  | { readonly kind: 'message'; readonly platformMessageId: string }
  /** This message and every earlier one to the same recipient (Instagram `read.mid`). */
  | { readonly kind: 'up_to_message'; readonly platformMessageId: string }
  /** Every message to the recipient sent at or before this epoch-ms instant (Messenger `watermark`). */
  | { readonly kind: 'up_to_time'; readonly at: number }

export interface StatusUpdate {
  readonly kind: 'status'
  /** Stable across redeliveries of the same callback: the dedup key. */
  readonly eventId: string
  readonly account: string
  /** The normalised id of the contact the message went to. */
  readonly recipient: string
  readonly status: DeliveryStatus
  readonly target: StatusTarget
  /** Epoch milliseconds, by the platform's clock. */
  readonly at: number
  /** With FAILED: why, classified like a send failure. */
  readonly failure?: { readonly reason: DeliveryFailureReason; readonly detail: string; readonly platformCode?: string }
}

export type InboundEvent = InboundMessage | StatusUpdate

/** An inbound HTTP request as the webhook route received it, body untouched (signatures cover bytes). */
export interface WebhookRequest {
  readonly method: string
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly query: Readonly<Record<string, string | undefined>>
  readonly rawBody: Buffer
}

/** What to answer a platform's handshake with (Meta's `hub.challenge`). */
export interface WebhookAnswer {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/** A platform's pacing limit: at most `perSecond` sends per account, or per recipient of the account. */
export interface PaceLimit {
  readonly scope: 'account' | 'recipient'
  readonly perSecond: number
  /** Sends allowed at once before pacing starts; 1 unless set. */
  readonly burst?: number
}

/** What a platform offers beyond the required surface; the core probes these, never assumes them. */
export interface ConnectorCapabilities {
  /** `callback`: a status webhook says so. `on_accept`: acceptance by the API is all there is. */
  readonly delivered: 'callback' | 'on_accept'
  /** `callback`: per message. `watermark`: "this one and all before it". `never`: the platform does not tell bots. */
  readonly read: 'callback' | 'watermark' | 'never'
  /** File kinds the platform takes by link; other files must be sent another way (a text link). */
  readonly media: readonly MediaKind[]
  /** The longest text one message may carry, in `textLengthUnit`s. */
  readonly maxTextLength: number
  readonly textLengthUnit: 'characters' | 'utf8_bytes'
  /** The longest caption, in the same unit; 0 when files carry none. */
  readonly maxCaptionLength: number
  /** Replies thread to a platform message id. */
  readonly replies: boolean
  /** How inbound events can arrive. */
  readonly inbound: readonly ('webhook' | 'polling')[]
  /** The platform's documented sending limits; the pacer keeps bursts under them. */
  readonly pacing: readonly PaceLimit[]
  /** `sendTyping` is implemented. */
  readonly typing: boolean
  /** `markRead` is implemented: the contact sees their message as read. */
  readonly markRead: boolean
  /**
   * The platform lets a business write freely only this long after the contact's last message
   * (WhatsApp's customer service window: 24); sends then carry `lastInboundAt`. Absent: no window.
   */
  readonly replyWindowHours?: number
}

export interface CallOptions {
  readonly signal?: AbortSignal
}

/** A page of polled events and where the next poll starts. */
export interface PolledEvents {
  readonly events: readonly InboundEvent[]
  readonly cursor: string
}

/**
 * One platform account. Every failure of a call to the platform is a `DeliveryError` saying
 * whether it is permanent; a connector never retries by itself (the caller owns retries, pacing
 * and the circuit breaker, `core/channels/`), and never does I/O in its constructor.
 */
export interface Connector {
  /** The channel name, also the address prefix: `whatsapp`. */
  readonly channel: string
  /** The platform account this instance speaks for: breakers and pacing are kept per account. */
  readonly account: string
  readonly addresses: AddressScheme
  readonly capabilities: ConnectorCapabilities

  /**
   * Sends one message. Resolves once the platform accepted it, with its id; throws DeliveryError.
   * Not idempotent on the platforms we know: after a timeout the message may have gone out
   * (`DeliveryError.outcomeUnknown`).
   */
  send(message: OutboundMessage, options?: CallOptions): Promise<SendResult>

  /** Whether the request is authentically from the platform (a signature over `rawBody`, a secret token). */
  verifyWebhook(request: WebhookRequest): boolean

  /**
   * The events of a verified webhook body, in the order the platform listed them; what we do not
   * handle (echoes of our own sends, reactions) is left out. Throws only on a body that is not the
   * platform's format at all.
   */
  parseWebhook(request: WebhookRequest): InboundEvent[]

  /** Answers a subscription handshake (Meta's GET `hub.challenge`); undefined when this request is not one. */
  answerHandshake?(request: WebhookRequest): WebhookAnswer | undefined

  /** Long-polls for inbound events after `cursor` (Telegram `getUpdates`), for hosts that cannot receive webhooks. */
  poll?(cursor: string | undefined, options?: CallOptions & { readonly waitSeconds?: number }): Promise<PolledEvents>

  /** A fetchable URL (and the headers the fetch needs) for a `platform` media source. */
  resolveMedia?(mediaId: string, options?: CallOptions): Promise<{ readonly url: string; readonly headers: Readonly<Record<string, string>> }>

  /** Shows the contact we are typing. */
  sendTyping?(to: string, options?: CallOptions): Promise<void>

  /** Marks a contact's message read on their side. */
  markRead?(platformMessageId: string, options?: CallOptions): Promise<void>
}

/** A configuration variable a connector reads; the config loader documents and collects them. */
export interface ConnectorSetting {
  /** `CHAT4ALL_WHATSAPP_ACCESS_TOKEN` */
  readonly env: string
  readonly doc: string
  /** Masked in `chat4all config`. */
  readonly secret?: boolean
  /** Used when the variable is unset; a setting with no default is required. */
  readonly default?: string
}

/**
 * A channel as the registry knows it: its scheme (usable without any account configured), its
 * settings, and how to build a connector from their values (keyed by `env`).
 */
export interface ConnectorDefinition {
  readonly channel: string
  readonly addresses: AddressScheme
  readonly settings: readonly ConnectorSetting[]
  create(values: Readonly<Record<string, string>>): Connector
}
