/**
 * The relay on the memory bus with the real SQLite store: it hands on later batches while an
 * earlier one is still being consumed, deletes rows only once consumed (in order), and never
 * misses an event written after the outbox emptied (SQLite reuses positions then).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryBus } from '../adapters/bus/memory.js'
import { createSqliteStore } from '../adapters/store/sqlite.js'
import type { Delivery } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { createOutboxRelay } from './outbox-relay.js'

const eventually = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function group(store: Store, members: readonly string[]): Promise<string> {
  const { conversation } = await store.createConversation({
    id: crypto.randomUUID(),
    type: 'group',
    title: 'relay',
    metadata: null,
    createdBy: members[0]!,
    createdAt: Date.now(),
    members: members.map((id, i) => ({ kind: 'user' as const, id, role: i === 0 ? ('owner' as const) : ('member' as const) })),
  })
  return conversation.id
}

async function send(store: Store, conversationId: string, senderId: string, text: string): Promise<void> {
  const result = await store.appendMessage({
    id: crypto.randomUUID(),
    conversationId,
    senderId,
    payload: { type: 'text', text },
    metadata: null,
    bodyHash: text,
    createdAt: Date.now(),
  })
  expect(result.kind).toBe('created')
}

describe('outbox relay on the memory bus', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'chat4all-relay-'))
    const store = await createSqliteStore({ path: join(dir, 'db.sqlite') })
    const bus = createMemoryBus()
    const stop = new AbortController()
    const relay = createOutboxRelay({ store, bus, logger: pino({ level: 'silent' }), batchSize: 2, pollIntervalMs: 50 })
    cleanups.push(async () => {
      stop.abort()
      await running
      await bus.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    })
    const running = relay.run(stop.signal)
    const outboxSize = async () => (await store.listOutbox(0, 1_000)).length
    return { store, bus, outboxSize }
  }

  it('hands on later events while an earlier one is still being consumed, and deletes rows only once consumed', async () => {
    const { store, bus, outboxSize } = await setup()
    const slow = await group(store, ['a', 'b'])
    const fast = await group(store, ['a', 'b'])
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const seen: string[] = []
    const consumer = bus.consume(
      'probe',
      async (batch: readonly Delivery[]) => {
        for (const d of batch) {
          const event = d.event.event
          if (event.type !== 'message.created') continue
          if (event.conversationId === slow) await held
          seen.push(`${event.conversationId === slow ? 'slow' : 'fast'}:${event.seq}`)
        }
      },
      { batchSize: 1, maxAttempts: 3, deadLetters: async () => {} },
    )
    await consumer.start()
    cleanups.push(() => consumer.stop())

    await send(store, slow, 'a', 'held back')
    for (let i = 0; i < 6; i++) await send(store, fast, 'a', `f${i}`)
    await eventually(() => seen.length === 6, 'the fast conversation is consumed although the slow one is held')
    expect(seen).toEqual(['fast:1', 'fast:2', 'fast:3', 'fast:4', 'fast:5', 'fast:6'])
    expect(await outboxSize(), 'the held event and what was handed after it stay until consumed').toBeGreaterThan(0)
    release()
    await eventually(async () => (await outboxSize()) === 0, 'every row is deleted once consumed')
    expect(seen).toContain('slow:1')
  })

  it('relays events written after the outbox emptied, although their positions repeat', async () => {
    const { store, bus, outboxSize } = await setup()
    const conversation = await group(store, ['a', 'b'])
    const seen: number[] = []
    const consumer = bus.consume(
      'probe',
      async (batch: readonly Delivery[]) => {
        for (const d of batch) if (d.event.event.type === 'message.created') seen.push(d.event.event.seq)
      },
      { batchSize: 10, maxAttempts: 3, deadLetters: async () => {} },
    )
    await consumer.start()
    cleanups.push(() => consumer.stop())
    for (let round = 0; round < 5; round++) {
      await send(store, conversation, 'a', `r${round}`)
      await eventually(async () => seen.length === round + 1 && (await outboxSize()) === 0, `round ${round} relayed and deleted`)
    }
    expect(seen).toEqual([1, 2, 3, 4, 5])
  })
})
