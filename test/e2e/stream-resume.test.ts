import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser, type ApiClient } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { StreamClient, eventually } from '../support/ws.js'

const text = (t: string) => ({ type: 'text', text: t })
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** Sends `count` messages with `parallel` requests in flight, checking each is accepted. */
async function sendMany(client: ApiClient, conversationId: string, count: number, parallel = 8, body = (i: number) => text(`m${i}`)) {
  let next = 0
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++
        const reply = await client.post('/v1/messages', { conversation_id: conversationId, payload: body(i) })
        if (reply.status !== 202) throw new Error(`send ${i} failed: ${reply.status} ${JSON.stringify(reply.body)}`)
      }
    }),
  )
}

describe('resume', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform()
  })
  afterAll(() => server.stop())

  it('resumes after disconnects with no gap and no duplicate while others keep sending', async () => {
    const reader = await newUser(server.url, 'reader')
    const senders = await Promise.all([1, 2, 3].map(() => newUser(server.url, 'sender')))
    const group = await senders[0]!.post('/v1/conversations', {
      type: 'group',
      members: [reader.username, ...senders.slice(1).map((s) => s.username)],
    })
    const groupId = group.body.conversation_id as string
    const direct = await senders[1]!.post('/v1/conversations', { type: 'private', members: [reader.username] })
    const directId = direct.body.conversation_id as string

    const perSender = 250
    const sending = Promise.all([
      ...senders.map((s) => sendMany(s, groupId, perSender, 4)),
      sendMany(senders[1]!, directId, perSender, 4),
    ])
    // Drop the connection abruptly four times mid-stream, each time resuming from the positions seen.
    const received = new Map<string, number[]>([
      [groupId, []],
      [directId, []],
    ])
    let positions = new Map<string, number>()
    let done = false
    void sending.then(() => (done = true))
    let resumedWhileSending = 0
    for (let round = 0; ; round++) {
      if (round > 0 && !done) resumedWhileSending++
      const ws = await StreamClient.connect(server.url, { token: reader.token!, positions })
      const total = () => ws.messages().length
      if (round < 4) await eventually(() => total() >= 25, 'some messages on this connection')
      else {
        await sending
        await eventually(
          () => (ws.positions.get(groupId) ?? positions.get(groupId)) === 3 * perSender && (ws.positions.get(directId) ?? positions.get(directId)) === perSender,
          'every message arrived',
          30_000,
        )
      }
      if (round < 4) ws.socket.terminate()
      else await ws.close()
      await ws.closed
      for (const [id, seqs] of received) seqs.push(...ws.messages(id).map((m) => m.seq as number))
      positions = new Map([...positions, ...ws.positions])
      if (round >= 4) break
    }
    expect(resumedWhileSending, 'resumes raced with senders').toBeGreaterThanOrEqual(3)
    expect(received.get(groupId), 'the group in order, each message once').toEqual(range(1, 3 * perSender))
    expect(received.get(directId), 'the direct conversation in order, each message once').toEqual(range(1, perSender))
  })

  it('delivers an offline backlog of 1,000 messages in order, then goes live', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const id = created.body.conversation_id as string
    await sendMany(alice, id, 1_000, 16)
    const ws = await StreamClient.connect(server.url, { token: bob.token!, ready: false })
    const ready = await ws.waitFor((f) => f.type === 'ready', 'the replay is over', { timeoutMs: 30_000 })
    expect(ready.replayed).toBe(1_000)
    expect(ws.messages(id).map((m) => m.seq)).toEqual(range(1, 1_000))
    expect(ws.messages(id).map((m) => m.content)).toContain('m999')
    const readyAt = ws.frames.indexOf(ready)
    expect(ws.frames.slice(readyAt).some((f) => f.type === 'message.created'), 'the backlog comes before ready').toBe(false)
    await alice.post('/v1/messages', { conversation_id: id, payload: text('live') })
    expect((await ws.waitForMessages(id, 1_001)).at(-1)).toMatchObject({ seq: 1_001, content: 'live' })

    // A device that says it has everything gets nothing again, and the watermarks instead.
    const other = await StreamClient.connect(server.url, { token: bob.token!, positions: new Map([[id, 1_001]]) })
    expect(other.messages()).toEqual([])
    const receipts = other.frames.find((f) => f.type === 'receipts.snapshot')
    expect(receipts).toMatchObject({ conversation_id: id })
    expect(receipts!.members.map((m: any) => m.member_id).sort()).toEqual([alice.userId, bob.userId].sort())
    await Promise.all([ws.close(), other.close()])
  })

  it('starts a fresh device at the delivered watermark', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const id = created.body.conversation_id as string
    await sendMany(alice, id, 5, 1)
    const phone = await StreamClient.connect(server.url, { token: bob.token! })
    await phone.waitForMessages(id, 5)
    phone.send({ type: 'ack', id: 'ack', conversation_id: id, up_to_seq: 3 })
    await phone.waitFor((f) => f.type === 'ok', 'the ack is stored')
    const laptop = await StreamClient.connect(server.url, { token: bob.token! })
    expect(laptop.messages(id).map((m) => m.seq)).toEqual([4, 5])
    await Promise.all([phone.close(), laptop.close()])
  })
})

describe('limits', () => {
  let server: TestPlatform
  beforeAll(async () => {
    // Small enough that a reader which stopped overflows within the 24 MB sent below (kernel buffers
    // take a few MB first); large enough that a healthy reader on a busy machine never does.
    server = await startTestPlatform({ CHAT4ALL_STREAM_BUFFER_BYTES: '65536', CHAT4ALL_STREAM_BUFFER_EVENTS: '100' })
  })
  afterAll(() => server.stop())

  it('closes a slow consumer with 4008, and it resumes without losing or repeating anything', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const id = created.body.conversation_id as string
    const slow = await StreamClient.connect(server.url, { token: bob.token! })
    const witness = await StreamClient.connect(server.url, { token: bob.token! })
    // Stop reading: the kernel buffers fill, then the server's.
    const socket = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause()
    const count = 400
    await sendMany(alice, id, count, 8, (i) => text(`${i}:${'x'.repeat(60_000)}`))
    // Fan-out reached every connection of bob's once the healthy one has it all.
    await witness.waitForMessages(id, count, 60_000)
    socket.resume()
    const closed = await slow.closed
    expect(closed.code).toBe(4008)
    expect(closed.reason).toMatch(/resume/)
    const prefix = slow.messages(id).map((m) => m.seq)
    expect(prefix.length).toBeLessThan(count)
    expect(prefix).toEqual(range(1, prefix.length))
    const resumed = await StreamClient.connect(server.url, { token: bob.token!, positions: slow.positions })
    const rest = (await resumed.waitForMessages(id, count - prefix.length, 60_000)).map((m) => m.seq)
    expect([...prefix, ...rest]).toEqual(range(1, count))
    expect(witness.frames.some((f) => f.type === 'error'), 'the healthy connection was never cut').toBe(false)
    await Promise.all([witness.close(), resumed.close()])
  }, 120_000)

})

describe('positions that cannot be replayed', () => {
  let server: TestPlatform
  beforeAll(async () => {
    server = await startTestPlatform({ CHAT4ALL_STREAM_REPLAY_LIMIT: '50' })
  })
  afterAll(() => server.stop())

  it('says explicitly when a position cannot be replayed: too old, ahead of the stream, or not a member', async () => {
    const alice = await newUser(server.url, 'alice')
    const bob = await newUser(server.url, 'bob')
    const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
    const id = created.body.conversation_id as string
    const carol = await newUser(server.url, 'carol')
    const foreign = (await alice.post('/v1/conversations', { type: 'private', members: [carol.username] })).body
      .conversation_id as string
    await sendMany(alice, id, 60, 4)
    const ws = await StreamClient.connect(server.url, {
      token: bob.token!,
      positions: new Map([
        [id, 2],
        [foreign, 7],
      ]),
    })
    const resets = ws.frames.filter((f) => f.type === 'stream.reset')
    expect(resets).toEqual([
      { type: 'stream.reset', position: { conversation_id: foreign, seq: 7 }, reason: 'not_a_member' },
      { type: 'stream.reset', position: { conversation_id: id, seq: 60 }, reason: 'too_old' },
    ])
    expect(ws.messages()).toEqual([])
    await alice.post('/v1/messages', { conversation_id: id, payload: text('after the reset') })
    expect(await ws.waitForMessages(id, 1)).toMatchObject([{ seq: 61 }])

    const ahead = await StreamClient.connect(server.url, { token: bob.token!, positions: new Map([[id, 500]]) })
    expect(ahead.frames.find((f) => f.type === 'stream.reset')).toMatchObject({ position: { seq: 61 }, reason: 'position_ahead' })
    const malformed = await StreamClient.connect(server.url, { token: bob.token!, ready: false, positions: new Map([['x', -1]]) })
    expect((await malformed.closed).code).toBe(4000)
    await Promise.all([ws.close(), ahead.close()])
  })
})
