/**
 * The stream session against a fan-out that misbehaves the way a networked one may: events late,
 * out of order, twice, or for a conversation joined since the stream started. Real parts (SQLite
 * store, memory fan-out, hub); events are published straight to the fan-out.
 */
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createMemoryFanout } from '../../src/adapters/fanout/memory.js'
import { createSqliteStore } from '../../src/adapters/store/sqlite.js'
import type { Message } from '../../src/core/model.js'
import { createPresence } from '../../src/core/presence.js'
import type { StreamFrame, StreamSink } from '../../src/core/stream/frames.js'
import { createStreamHub } from '../../src/core/stream/hub.js'
import { createMemberCache } from '../../src/core/stream/member-cache.js'
import { messageCreated } from '../../src/core/stream/live-event.js'
import type { Store } from '../../src/ports/store.js'
import { tempDir } from '../support/platform.js'
import { eventually } from '../support/ws.js'

const dir = tempDir()
let store: Store

beforeAll(async () => {
  store = await createSqliteStore({ path: join(dir.path, 'order.db'), synchronous: 'normal' })
})
afterAll(async () => {
  await store.close()
  dir.remove()
})

function capture(): StreamSink & { frames: StreamFrame[] } {
  const frames: StreamFrame[] = []
  return { frames, send: (f) => void frames.push(f), bufferedBytes: () => 0, drained: async () => {}, close: () => {} }
}

const seqsOf = (frames: StreamFrame[], conversationId: string) =>
  frames.flatMap((f) =>
    f.kind === 'event' && f.event.type === 'message.created' && f.event.conversationId === conversationId ? [f.event.seq] : [],
  )

async function append(conversationId: string, sender: string): Promise<Message> {
  const id = crypto.randomUUID()
  const result = await store.appendMessage({
    id,
    conversationId,
    senderId: sender,
    payload: { type: 'text', text: id },
    metadata: null,
    createdAt: Date.now(),
    bodyHash: id,
  })
  if (result.kind !== 'created') throw new Error(`append failed: ${result.kind}`)
  return result.message
}

it('fills gaps from the store, drops duplicates, and finds conversations joined mid-stream', async () => {
  const fanout = createMemoryFanout()
  const logger = pino({ level: 'silent' })
  const members = createMemberCache({ store, maxEntries: 100, ttlMs: 60_000, now: Date.now })
  const presence = createPresence({ store, fanout, logger, node: 'n1', maxConversationSize: 100, now: Date.now })
  const hub = createStreamHub({
    store,
    fanout,
    members,
    presence,
    limits: { bufferBytes: 1 << 20, bufferEvents: 1_000, replayLimit: 1_000, replayPageSize: 2, typingIntervalMs: 1_000, heartbeatMs: 30_000 },
    typingTtlMs: 5_000,
    logger,
    now: Date.now,
  })
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()]
  const conversation = crypto.randomUUID()
  await store.createConversation({
    id: conversation,
    type: 'group',
    title: null,
    metadata: null,
    createdBy: a,
    createdAt: Date.now(),
    members: [
      { kind: 'user', id: a, role: 'owner' },
      { kind: 'user', id: b, role: 'member' },
    ],
  })
  for (let i = 0; i < 5; i++) await append(conversation, a)

  const sink = capture()
  hub.open({ userId: b, tokenExpiresAt: Date.now() / 1000 + 600, positions: new Map(), sink })
  await eventually(() => sink.frames.some((f) => f.kind === 'ready'), 'the replay is over')
  expect(seqsOf(sink.frames, conversation)).toEqual([1, 2, 3, 4, 5])

  const [m6, m7, m8] = [await append(conversation, a), await append(conversation, a), await append(conversation, a)]
  const publish = (m: Message) => fanout.publish({ to: [b], event: messageCreated(m) })
  await publish(m8!) // ahead: 6 and 7 come from the store first
  await publish(m6!) // late duplicates are dropped
  await publish(m7!)
  await publish(m8!)
  await eventually(() => seqsOf(sink.frames, conversation).length >= 8, 'the gap is filled')

  // Joined after the stream started, and the join event never arrived.
  const other = crypto.randomUUID()
  await store.createConversation({
    id: other,
    type: 'group',
    title: null,
    metadata: null,
    createdBy: a,
    createdAt: Date.now(),
    members: [{ kind: 'user', id: a, role: 'owner' }],
  })
  await append(other, a)
  await store.addMembers(other, [{ kind: 'user', id: b, role: 'member' }], { maxMembers: 10, now: Date.now() })
  const o2 = await append(other, a)
  const o3 = await append(other, a)
  await publish(o3) // 2 is filled from the store, 1 predates the join and is not shown
  await publish(o2)
  await eventually(() => seqsOf(sink.frames, other).length >= 2, 'the new conversation is delivered')

  // Let anything pending settle, then check the whole output at once.
  await publish(m8!)
  expect(seqsOf(sink.frames, conversation)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  expect(seqsOf(sink.frames, other)).toEqual([2, 3])
  hub.close()
  await fanout.close()
})
