/**
 * @module The store port: durable metadata in domain terms. Implemented by the SQLite and the
 * PostgreSQL adapters, which both pass `store.contract.ts`.
 */
import type {
  Conversation,
  ConversationSummary,
  DomainEvent,
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
  RoutingKey,
  DeliveryStatus,
  User,
} from '../core/model.js'

export type AppendResult =
  | { readonly kind: 'created'; readonly message: Message }
  | { readonly kind: 'duplicate'; readonly message: Message }
  | { readonly kind: 'conflict'; readonly message: Message }

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
  readonly expiresAt: number
}

export interface WatermarkChange {
  readonly conversationId: string
  readonly memberId: string
  readonly status: 'DELIVERED' | 'READ'
  readonly upToSeq: number
  readonly at: number
}

export interface UserStore {
  /** Throws `username_taken` / `email_taken` (case-insensitive) without writing anything. */
  createUser(user: NewUser): Promise<User>
  getUser(id: string): Promise<User | undefined>
  findUserByUsername(username: string): Promise<User | undefined>
  saveRefreshToken(record: RefreshTokenRecord): Promise<void>
  /**
   * Atomically consumes a refresh token and stores its successor. Returns the owner, or
   * undefined when the token is unknown, already used or expired (nothing is stored then).
   */
  rotateRefreshToken(
    oldHash: string,
    next: Omit<RefreshTokenRecord, 'userId'>,
    now: number,
  ): Promise<string | undefined>
}

export interface ConversationStore {
  /**
   * Creates a conversation with its members in one write. A private conversation is unique per
   * pair: when it exists already, returns it with `created: false` and writes nothing.
   */
  createConversation(input: NewConversation): Promise<{ conversation: Conversation; created: boolean }>
  getConversation(id: string): Promise<Conversation | undefined>
  getMember(conversationId: string, memberId: string): Promise<Member | undefined>
  listMembers(conversationId: string): Promise<readonly Member[]>
  /** The member's conversations, most recent activity first, strictly after the cursor. */
  listConversations(
    memberId: string,
    options: { readonly limit: number; readonly cursor?: ConversationCursor },
  ): Promise<readonly ConversationSummary[]>
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
}

export interface MessageStore {
  /**
   * Accepts a message in one atomic write: assigns the conversation's next seq (gap-free, strictly
   * increasing, also across processes), stores the message and a `message.created` outbox event.
   * A message id seen before returns the stored message as `duplicate` when the body hash
   * matches, or `conflict` when it does not; neither writes anything.
   */
  appendMessage(message: NewMessage): Promise<AppendResult>
  getMessage(id: string): Promise<Message | undefined>
  /** History in seq order; `afterSeq` pages forward, otherwise backward from `beforeSeq` or the end. */
  listMessages(conversationId: string, query: HistoryQuery): Promise<HistoryPage>
  /** Per-recipient receipts of one message (every member but the sender who may receive it). */
  getReceipts(messageId: string): Promise<readonly Receipt[]>
  /** The least advanced recipient status of each message; SENT when no recipient has a receipt yet. */
  aggregateStatuses(messageIds: readonly string[]): Promise<ReadonlyMap<string, DeliveryStatus>>
  /**
   * Moves a member's watermark forward to `upToSeq` (clamped to the conversation's last seq) and
   * every receipt up to it, with a `message.status` outbox event, in one write. READ implies
   * DELIVERED. Returns the change, or undefined when nothing moved (a late or repeated status).
   */
  advanceWatermark(change: WatermarkChange): Promise<WatermarkChange | undefined>
  /** Marks one message READ (and DELIVERED) for one recipient; timestamps never change once set. */
  markMessageRead(messageId: string, memberId: string, at: number): Promise<boolean>
  /**
   * Router work for accepted messages: makes sure every recipient has a receipt, taking the
   * member's watermarks into account. Idempotent.
   */
  materializeReceipts(events: readonly RoutingKey[]): Promise<void>
}

export interface OutboxStore {
  /**
   * Hands the oldest pending outbox events to `publish` and removes them only once it resolved.
   * Events are never lost; after a crash they may be handed out again. Returns how many were handed.
   */
  drainOutbox(limit: number, publish: (events: readonly OutboxEvent[]) => Promise<void>): Promise<number>
}

export interface FileStore {
  /** A completed upload, or undefined. Uploads come with the files feature. */
  getReadyFile(id: string): Promise<FileRef | undefined>
}

export interface Store extends UserStore, ConversationStore, MessageStore, OutboxStore, FileStore {
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>
  /** Called after every write that added outbox events, so a relay can wake up. */
  onOutboxWrite(listener: () => void): void
  close(): Promise<void>
}
