/**
 * @module The store port: durable metadata in domain terms. Implemented by the SQLite and the
 * PostgreSQL adapters, which both pass `store.contract.ts`.
 */
import type {
  Conversation,
  ConversationSummary,
  DomainEvent,
  FileRecord,
  FileRef,
  Member,
  MemberRef,
  MemberRole,
  Message,
  NewConversation,
  NewMessage,
  NewUser,
  OutboxEvent,
  Receipt,
  DeliveryStatus,
  UploadPart,
  User,
} from '../core/model.js'
import type { RateLimitStore } from './rate-limits.js'
import type { ChannelStore } from './channel-store.js'
import type { DeadLetter } from './dead-letter.js'
import type { IdentityStore } from './identity-store.js'
import type {
  AttemptOutcome,
  DueDelivery,
  Webhook,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEvent,
} from '../core/webhooks/model.js'

export type AppendResult =
  | { readonly kind: 'created'; readonly message: Message }
  | { readonly kind: 'duplicate'; readonly message: Message }
  | { readonly kind: 'conflict'; readonly message: Message }
  /** No such conversation, or the sender is not a member of it: nothing was written. */
  | { readonly kind: 'not_found' }

export interface HistoryQuery {
  /** Messages with seq strictly above this, oldest first. */
  readonly afterSeq?: number
  /** Messages with seq strictly below this; the newest of them. */
  readonly beforeSeq?: number
  readonly limit: number
}

export interface HistoryPage {
  /** Always in ascending seq order. */
  readonly messages: readonly Message[]
  readonly hasMore: boolean
}

export interface ConversationCursor {
  readonly lastActivityAt: number
  readonly id: string
}

export interface RefreshTokenRecord {
  readonly tokenHash: string
  readonly userId: string
  /** The session: a login's first refresh token and every successor rotated from it. */
  readonly familyId: string
  readonly expiresAt: number
}

/** What presenting a refresh token did. */
export type RefreshRotation =
  /** The token was live: it is used up now, and its successor (same family) is stored. */
  | { readonly kind: 'rotated'; readonly userId: string; readonly familyId: string }
  /** The token had been rotated already: a replay, so its whole family (successors too) is revoked. */
  | { readonly kind: 'reused'; readonly userId: string; readonly familyId: string }
  /** Unknown, expired or revoked: nothing was stored. */
  | { readonly kind: 'invalid' }

/** What an account's deletion left for the caller: files only it could see, whose bytes must go too. */
export interface DeletedAccount {
  readonly orphanFiles: readonly FileRecord[]
}

export interface WatermarkChange {
  readonly conversationId: string
  readonly memberId: string
  readonly status: 'DELIVERED' | 'READ'
  readonly upToSeq: number
  readonly at: number
}

/** One conversation of a member, with what the live stream needs to resume it. */
export interface Membership {
  readonly conversationId: string
  readonly lastSeq: number
  readonly joinedAfterSeq: number
  readonly deliveredUpToSeq: number
  readonly readUpToSeq: number
}

/** A user who shares a conversation with someone, for presence. */
export interface Contact {
  readonly userId: string
  /** When their last live connection closed; null when never seen. */
  readonly lastSeenAt: number | null
}

export interface UserStore {
  /** Throws `username_taken` / `email_taken` (case-insensitive) without writing anything. */
  createUser(user: NewUser): Promise<User>
  getUser(id: string): Promise<User | undefined>
  findUserByUsername(username: string): Promise<User | undefined>
  saveRefreshToken(record: RefreshTokenRecord): Promise<void>
  /**
   * Atomically consumes a live refresh token and stores its successor in the same family. A token
   * used before (a replay: stolen, or raced) revokes its whole family in the same write. Of several
   * concurrent rotations of one token exactly one is `rotated`; the others are `reused`.
   * Rotated tokens are kept (to recognise replays) until they expire.
   */
  rotateRefreshToken(
    oldHash: string,
    next: Omit<RefreshTokenRecord, 'userId' | 'familyId'>,
    now: number,
  ): Promise<RefreshRotation>
  /** Revokes every refresh token of the family if it is the user's (logout); false when none was live. */
  revokeRefreshFamily(userId: string, familyId: string): Promise<boolean>
  /** The family of a refresh token of the user's (used or not), or undefined. */
  findRefreshFamily(userId: string, tokenHash: string): Promise<string | undefined>
  /**
   * Revokes every session of the user: all refresh tokens, and access tokens issued before, by
   * moving the user's token epoch forward. Returns the new epoch (undefined: no such user).
   */
  revokeAllSessions(userId: string): Promise<number | undefined>
  /** The user's token epoch (access tokens of an older one are revoked); undefined when no such user. */
  getTokenEpoch(userId: string): Promise<number | undefined>
  /**
   * Deletes the account in one write: the user, their refresh tokens, their webhooks with their
   * deliveries, and their memberships (each with a `member.left` event). Messages they sent stay
   * in their conversations. Returns the files they own that no conversation was granted (the
   * caller deletes them with their bytes), or undefined when there is no such user.
   */
  deleteUser(userId: string, now: number): Promise<DeletedAccount | undefined>
  /** Records when the user's last live connection closed (presence). */
  setLastSeen(userId: string, at: number): Promise<void>
  /**
   * Grants (true) or revokes (false) the admin role. The user is named by id or by username, never
   * by a string that could be either: a username may look like another user's id. Returns the user
   * as it is now, or undefined when there is no such user.
   */
  setAdmin(user: UserRef, isAdmin: boolean): Promise<User | undefined>
}

export type UserRef = { readonly id: string } | { readonly username: string }

export interface ConversationStore {
  /**
   * Creates a conversation with its members in one write. A private conversation is unique per
   * pair: when it exists already, returns it with `created: false` and writes nothing.
   */
  createConversation(input: NewConversation): Promise<{ conversation: Conversation; created: boolean }>
  /**
   * The private conversation of these two members (in either order), or undefined. A read: sending
   * by `to` finds the conversation here and writes only the first time.
   */
  findPrivateConversation(memberA: string, memberB: string): Promise<Conversation | undefined>
  getConversation(id: string): Promise<Conversation | undefined>
  getMember(conversationId: string, memberId: string): Promise<Member | undefined>
  listMembers(conversationId: string): Promise<readonly Member[]>
  /** The members of several conversations in one read (a conversation without members is absent). */
  listMembersOf(conversationIds: readonly string[]): Promise<ReadonlyMap<string, readonly Member[]>>
  /** The member's conversations, most recent activity first, strictly after the cursor. */
  listConversations(
    memberId: string,
    options: { readonly limit: number; readonly cursor?: ConversationCursor },
  ): Promise<readonly ConversationSummary[]>
  /**
   * Sets a conversation's title and/or metadata (absent: unchanged, null: cleared) and writes a
   * `conversation.updated` event with the result in the same transaction. Undefined when there is
   * no such conversation.
   */
  updateConversation(
    conversationId: string,
    changes: { readonly title?: string | null | undefined; readonly metadata?: Readonly<Record<string, unknown>> | null | undefined },
    now: number,
  ): Promise<Conversation | undefined>
  /**
   * Adds members (existing ones are left as they are) unless the total would exceed `maxMembers`,
   * in which case throws `member_limit_reached` and writes nothing. Returns the added members.
   */
  addMembers(
    conversationId: string,
    members: readonly (MemberRef & { readonly role: MemberRole })[],
    options: { readonly maxMembers: number; readonly now: number },
  ): Promise<readonly Member[]>
  /** Returns false when the member was not there. */
  removeMember(conversationId: string, memberId: string, now: number): Promise<boolean>
  /** Every conversation of the member, with its last seq and the member's watermarks, in one read. */
  listMemberships(memberId: string): Promise<readonly Membership[]>
  /**
   * The users (not the member, not external addresses) who share a conversation of at most
   * `maxConversationSize` members with the member, each once.
   */
  listContacts(memberId: string, options: { readonly maxConversationSize: number }): Promise<readonly Contact[]>
}

export interface MessageStore {
  /**
   * Accepts a message in one atomic write: assigns the conversation's next seq (gap-free, strictly
   * increasing, also across processes), stores the message and a `message.created` outbox event.
   * A message id seen before returns the stored message as `duplicate` when the body hash
   * matches, or `conflict` when it does not; neither writes anything. Membership is checked in the
   * same transaction, so a sender removed a moment ago cannot slip a message in (`not_found`).
   * Calls made one after another without waiting for each other get their seqs in call order
   * (per conversation), so a client may pipeline its sends.
   * The sender's own delivered and read watermarks move forward over the new message in the same
   * write, with no outbox event: their own message is never undelivered to them. They stop before
   * any message of someone else the sender has not acknowledged, which still needs its receipt.
   */
  appendMessage(message: NewMessage): Promise<AppendResult>
  getMessage(id: string): Promise<Message | undefined>
  /** History in seq order; `afterSeq` pages forward, otherwise backward from `beforeSeq` or the end. */
  listMessages(conversationId: string, query: HistoryQuery): Promise<HistoryPage>
  /**
   * Per-recipient receipts of one message: every member but the sender who had joined before it.
   * Derived from the recipients' watermarks as soon as the message is accepted (no routing step
   * writes them), with exact times from the watermarks' history.
   */
  getReceipts(messageId: string): Promise<readonly Receipt[]>
  /** The least advanced recipient status of each message; SENT when it has no recipient. */
  aggregateStatuses(messageIds: readonly string[]): Promise<ReadonlyMap<string, DeliveryStatus>>
  /**
   * Moves a member's watermark forward to `upToSeq` (clamped to the conversation's last seq), which
   * moves every receipt up to it, with a `message.status` outbox event, in one write. READ implies
   * DELIVERED. Returns the change, or undefined when nothing moved (a late or repeated status).
   */
  advanceWatermark(change: WatermarkChange): Promise<WatermarkChange | undefined>
  /** Marks one message READ (and DELIVERED) for one recipient; timestamps never change once set. */
  markMessageRead(messageId: string, memberId: string, at: number): Promise<boolean>
}

export interface OutboxStore {
  /**
   * Hands the oldest pending outbox events to `publish` and removes them only once it resolved.
   * Events are never lost; after a crash they may be handed out again. Returns how many were handed.
   */
  drainOutbox(limit: number, publish: (events: readonly OutboxEvent[]) => Promise<void>): Promise<number>
  /**
   * The oldest pending outbox events strictly after `afterPosition`, without removing them: for a
   * single relay that keeps several batches in flight and deletes each once it is done with it.
   */
  listOutbox(afterPosition: number, limit: number): Promise<readonly PendingOutboxEvent[]>
  /** Removes handled outbox events by position; positions already gone are ignored. */
  deleteOutbox(positions: readonly number[]): Promise<void>
}

/** What operators watch: the outbox's backlog and the platform's size (GET /metrics, GET /v1/admin/stats). */
export interface OperationsStore {
  /**
   * Events waiting in the outbox and the acceptance time of the oldest (undefined when empty). Read
   * on every Prometheus scrape: one aggregate over the outbox, which the relay keeps small.
   */
  outboxBacklog(): Promise<{ readonly depth: number; readonly oldestCreatedAt: number | undefined }>
  /**
   * Exact counts for the admin summary. Each is a count over a whole table: meant for an operator's
   * occasional look, not for a dashboard's refresh.
   */
  platformCounts(): Promise<{ readonly users: number; readonly conversations: number; readonly deadLetters: number }>
}

/** An outbox event with its position, the outbox's order. */
export interface PendingOutboxEvent {
  readonly position: number
  readonly event: OutboxEvent
}

/** A tus append: the offset moves from `fromOffset` only, with the chunks it completed and the new tail. */
export interface UploadAdvance {
  readonly fromOffset: number
  readonly toOffset: number
  readonly tailKey: string | null
  readonly parts: readonly UploadPart[]
}

/** File metadata and upload state. The bytes live in the blob store (ports/blobs.ts). */
export interface FileStore {
  /** A completed upload, or undefined. */
  getReadyFile(id: string): Promise<FileRef | undefined>
  /** Records a new file in the `uploading` state (`upload` set). */
  createFile(file: FileRecord): Promise<void>
  /** The file in any state, or undefined. */
  getFile(id: string): Promise<FileRecord | undefined>
  /** The stored chunks of an upload, by index. */
  listUploadParts(fileId: string): Promise<readonly UploadPart[]>
  /** Records (or replaces) one stored chunk. False when the file is not uploading any more. */
  saveUploadPart(fileId: string, part: UploadPart): Promise<boolean>
  /** Forgets one stored chunk whose bytes did not arrive whole, so it is listed missing again. */
  deleteUploadPart(fileId: string, index: number): Promise<void>
  /**
   * Moves a tus upload's offset forward, recording the chunks it completed and its new tail, in one
   * write, only if the offset still is `fromOffset` (so two writers cannot both advance it). False otherwise.
   */
  advanceUpload(fileId: string, change: UploadAdvance): Promise<boolean>
  /** uploading → ready with the size and hash of the stored bytes; drops the upload state. Undefined when not uploading. */
  markFileReady(fileId: string, ready: { readonly sha256: string; readonly sizeBytes: number; readonly completedAt: number }): Promise<FileRecord | undefined>
  /** Forgets the file with its chunks and grants; returns what it was. */
  deleteFile(fileId: string): Promise<FileRecord | undefined>
  /** Uploads still incomplete at `now` past their expiry, oldest first. */
  listExpiredUploads(now: number, limit: number): Promise<readonly FileRecord[]>
  /** Lets the members of the conversation read the file (idempotent). */
  grantFileAccess(fileId: string, conversationId: string, at: number): Promise<void>
  /** True for the owner and for members of a conversation the file was granted to. */
  canAccessFile(fileId: string, userId: string): Promise<boolean>
}

export interface WebhookDeliveryQuery {
  readonly limit: number
  /** Only deliveries older than this one (a delivery id), for paging. */
  readonly before?: string
  readonly state?: WebhookDeliveryState
}

export interface WebhookClaim {
  readonly now: number
  /** Most deliveries to claim. */
  readonly limit: number
  /** Most deliveries of one webhook in flight at once, across every sender. */
  readonly perWebhook: number
  /** How long the claim holds; longer than one attempt can take. */
  readonly leaseMs: number
}

/** Outbound webhooks: registrations and their durable delivery jobs. */
export interface WebhookStore {
  createWebhook(webhook: Webhook): Promise<void>
  getWebhook(id: string): Promise<Webhook | undefined>
  /** The owner's webhooks, oldest first. */
  listWebhooks(ownerId: string): Promise<readonly Webhook[]>
  /** Removes the webhook and its deliveries; false when it was not there. */
  deleteWebhook(id: string): Promise<boolean>
  /**
   * Queues, in one write, a pending delivery of each event to every webhook that subscribes to its
   * type and whose owner is a member of its conversation (for a new message: joined before it).
   * Idempotent per (webhook, event). Returns how many deliveries were queued.
   */
  queueWebhookEvents(events: readonly WebhookEvent[], now: number): Promise<number>
  /** Queues one event for one webhook, whatever it subscribes to (a test ping). */
  queueWebhookDelivery(webhookId: string, event: WebhookEvent, now: number): Promise<WebhookDelivery>
  /**
   * Claims due deliveries, oldest due first. Of each (webhook, conversation) only the oldest pending
   * delivery is ever due, so a conversation's events go out one at a time and in order. Each claim
   * is leased until `now + leaseMs`: no sender takes it meanwhile, and a crashed sender's claims
   * come back when their lease runs out.
   */
  claimWebhookDeliveries(claim: WebhookClaim): Promise<readonly DueDelivery[]>
  /**
   * Records an attempt of a claimed delivery and what follows. Once a delivery is delivered or
   * dead, the next one of its (webhook, conversation) becomes due. Ignored for a delivery that is
   * gone or no longer pending.
   */
  recordWebhookAttempt(deliveryId: string, attempt: Omit<WebhookAttempt, 'number'>, outcome: AttemptOutcome): Promise<void>
  /** Gives claimed deliveries back without an attempt (a sender stopping). */
  releaseWebhookDeliveries(deliveryIds: readonly string[]): Promise<void>
  getWebhookDelivery(webhookId: string, deliveryId: string): Promise<WebhookDelivery | undefined>
  /** Newest first, each with its attempts. */
  listWebhookDeliveries(webhookId: string, query: WebhookDeliveryQuery): Promise<readonly WebhookDelivery[]>
  /**
   * Sends a delivery again: a pending one that waits for a retry becomes due now; a delivered or
   * dead one is copied into a new pending delivery (`replayOf`), queued behind the pending ones of
   * its conversation. Undefined when the webhook has no such delivery.
   */
  replayWebhookDelivery(webhookId: string, deliveryId: string, now: number): Promise<WebhookDelivery | undefined>
}

export type { DeadLetter }

export interface DeadLetterQuery {
  readonly limit: number
  /** Only letters older than this one (a dead-letter id), for paging; newest first. */
  readonly before?: string
  readonly group?: string
}

/** Durable dead letters of the bus consumers (`GET /v1/admin/dead-letters`). */
export interface DeadLetterStore {
  addDeadLetter(letter: DeadLetter): Promise<void>
  /** Newest first. */
  listDeadLetters(query: DeadLetterQuery): Promise<readonly DeadLetter[]>
  getDeadLetter(id: string): Promise<DeadLetter | undefined>
  /**
   * In one write: removes the letter and puts its event back in the outbox under `replayEventId`,
   * addressed to the failed group only (`onlyGroup`), so the relay re-drives it through the bus.
   * Undefined when there is no such letter (a replay that raced another).
   */
  replayDeadLetter(id: string, replayEventId: string): Promise<DeadLetter | undefined>
}

/** Shared holders of a lock run together; an exclusive holder runs alone. */
export type LockMode = 'exclusive' | 'shared'

/**
 * Named locks that hold across every process sharing the store (PostgreSQL: advisory locks; SQLite,
 * one process by construction: in memory). A lock is released when `work` settles, also when it
 * throws, and when its process dies. Waiters are served in order: a waiting exclusive holder keeps
 * later shared ones out, so a stream of shared holders cannot starve it.
 */
export interface LockStore {
  /** Waits for the lock, then runs `work` holding it. Not reentrant: never take a lock already held. */
  withLock<T>(key: string, work: () => Promise<T>, mode?: LockMode): Promise<T>
  /** Runs `work` holding the lock if it is free now; undefined, without running `work`, when it is not. */
  tryWithLock<T>(key: string, work: () => Promise<T>, mode?: LockMode): Promise<{ readonly value: T } | undefined>
}

export interface Store
  extends UserStore,
    ChannelStore,
    IdentityStore,
    ConversationStore,
    MessageStore,
    OutboxStore,
    OperationsStore,
    FileStore,
    WebhookStore,
    DeadLetterStore,
    LockStore,
    RateLimitStore {
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>
  /** Called after every write that added outbox events, so a relay can wake up. */
  onOutboxWrite(listener: () => void): void
  close(): Promise<void>
}
