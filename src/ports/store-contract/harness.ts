/**
 * @module What every part of the store contract shares: opening stores through the adapter's
 * factory, and fixtures that build domain values with unique ids, so tests sharing one store never
 * see each other's rows.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { AppError } from '../../core/errors.js'
import type {
  Conversation,
  DomainEvent,
  MemberRole,
  Message,
  NewConversation,
  NewMessage,
  NewUser,
  OutboxEvent,
} from '../../core/model.js'
import type { AppendResult, Store } from '../store.js'

export interface StoreHandle {
  readonly store: Store
  /** Closes the store and removes whatever it created (file, schema). */
  readonly cleanup: () => Promise<void>
}

/** Opens a new, empty store each time it is called. */
export type StoreFactory = () => Promise<StoreHandle>


function holder(make: StoreFactory, open: (fn: () => Promise<void>) => void, close: (fn: () => Promise<void>) => void) {
  let handle: StoreHandle | undefined
  open(async () => {
    handle = await make()
  })
  close(async () => {
    const current = handle
    handle = undefined
    await current?.cleanup()
  })
  return (): Store => {
    if (!handle) throw new Error('the store is not open (use it inside a test)')
    return handle.store
  }
}

/** One store for the enclosing describe block; tests keep apart by using fresh ids. */
export const sharedStore = (make: StoreFactory) => holder(make, beforeAll, afterAll)

/** A new empty store for every test, for what is global to a store (the outbox). */
export const freshStore = (make: StoreFactory) => holder(make, beforeEach, afterEach)

/** An id no other test uses. */
export const uid = (prefix: string): string => `${prefix}-${randomUUID()}`

/** A fixed point in time; tests count from it so timestamps are predictable. */
export const T0 = 1_700_000_000_000

export function newUser(overrides: Partial<NewUser> = {}): NewUser {
  const name = uid('user').slice(0, 20)
  return {
    id: uid('u'),
    username: name,
    email: `${name}@example.test`,
    displayName: 'Test User',
    passwordHash: 'scrypt$not-a-real-hash',
    createdAt: T0,
    ...overrides,
  }
}

export const member = (id: string, role: MemberRole = 'member') => ({ kind: 'user' as const, id, role })

/** Creates a group whose first member is the owner. Members need not be users: the store does not check. */
export async function createGroup(
  store: Store,
  memberIds: readonly string[],
  overrides: Partial<NewConversation> = {},
): Promise<Conversation> {
  const [owner = uid('owner'), ...others] = memberIds
  const { conversation, created } = await store.createConversation({
    id: uid('c'),
    type: 'group',
    title: 'a group',
    metadata: null,
    createdBy: owner,
    createdAt: T0,
    members: [member(owner, 'owner'), ...others.map((id) => member(id))],
    ...overrides,
  })
  expect(created, 'a new group is created').toBe(true)
  return conversation
}

/** `count` fresh member ids. */
export const ids = (count: number, prefix = 'm'): string[] => Array.from({ length: count }, () => uid(prefix))

export function newMessage(conversationId: string, senderId: string, overrides: Partial<NewMessage> = {}): NewMessage {
  const id = overrides.id ?? uid('msg')
  return {
    id,
    conversationId,
    senderId,
    payload: { type: 'text', text: `hello from ${senderId}` },
    metadata: null,
    createdAt: T0 + 1_000,
    bodyHash: `hash-of-${id}`,
    ...overrides,
  }
}

/** Appends a message and insists it was created. */
export async function send(
  store: Store,
  conversationId: string,
  senderId: string,
  overrides: Partial<NewMessage> = {},
): Promise<Message> {
  const result = await store.appendMessage(newMessage(conversationId, senderId, overrides))
  expect(result.kind, 'a new message id is created').toBe('created')
  return messageOf(result)
}

/** The message an append result carries; fails the test for `not_found`. */
export function messageOf(result: AppendResult): Message {
  if (result.kind === 'not_found') throw new Error('expected the append to reach a conversation, got not_found')
  return result.message
}

/** Appends `count` messages one after the other, `createdAt` one millisecond apart. */
export async function sendMany(store: Store, conversationId: string, senderId: string, count: number): Promise<Message[]> {
  const sent: Message[] = []
  for (let i = 0; i < count; i++) {
    sent.push(await send(store, conversationId, senderId, { createdAt: T0 + 1_000 + i }))
  }
  return sent
}

/** Drains the whole outbox, returning what was handed out in order. */
export async function drainAll(store: Store, limit = 1_000): Promise<OutboxEvent[]> {
  const handed: OutboxEvent[] = []
  while ((await store.drainOutbox(limit, async (events) => void handed.push(...events))) > 0) {
    // keep draining
  }
  return handed
}

/** Resolves with the AppError code a promise rejects with, or fails the test when it resolves. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  )
  expect(error, 'the call is refused with an AppError').toBeInstanceOf(AppError)
  return (error as AppError).code
}

/** 1, 2 … n. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)
