/**
 * Presence across processes, with a fake clock: heartbeats, the expiry of a silent process, a
 * process coming back or starting, and a view repaired after a lost announcement. Several presences share an in-test network that stands in for
 * the fan-out and can cut a process off. Each process has a tiny hub that routes envelopes the way
 * the real one does. The store is a fake that offers contacts and records last-seen writes.
 */
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Fanout } from '../ports/fanout.js'
import { createPresence, type Presence } from './presence.js'
import { isControlEvent, type Envelope, type LiveEvent, type PresenceEvent } from './stream/live-event.js'

const BEAT = 10_000
const EXPIRY = 25_000
const START = 1_700_000_000_000

function fakeStore(pairs: readonly (readonly [string, string])[]) {
  const contacts = new Map<string, Set<string>>()
  const add = (a: string, b: string) => contacts.set(a, (contacts.get(a) ?? new Set()).add(b))
  for (const [a, b] of pairs) add(a, b), add(b, a)
  const writes: (readonly [string, number])[] = []
  return {
    writes,
    listContacts: async (userId: string) => [...(contacts.get(userId) ?? [])].map((id) => ({ userId: id, lastSeenAt: null })),
    setLastSeen: async (userId: string, at: number) => void writes.push([userId, at]),
  }
}

/** The fan-out between processes. A process that is `down` neither sends nor hears anything. */
function network() {
  const routes = new Map<string, (envelope: Envelope) => void>()
  const down = new Set<string>()
  const sent: { readonly from: string; readonly envelope: Envelope }[] = []
  const fanoutOf = (name: string): Fanout => ({
    async publish(envelope) {
      sent.push({ from: name, envelope })
      if (down.has(name)) return
      for (const [to, route] of routes) if (!down.has(to)) route(envelope)
    },
    subscribe(handler) {
      routes.set(name, handler)
      return () => void routes.delete(name)
    },
    async close() {},
  })
  return { fanoutOf, down, sent }
}

type Network = ReturnType<typeof network>
type FakeStore = ReturnType<typeof fakeStore>

interface Process {
  readonly presence: Presence
  /** Every presence event handed to a connected user here, by that user. */
  readonly frames: { readonly user: string; readonly event: PresenceEvent }[]
  connect(userId: string): void
  disconnect(userId: string): void
}

/** A process: its presence, and a hub that routes as the real one (src/core/stream/hub.ts) does. */
function startProcess(net: Network, store: FakeStore, node: string, now = () => Date.now()): Process {
  const fanout = net.fanoutOf(node)
  const presence = createPresence({
    store,
    fanout,
    logger: pino({ level: 'silent' }),
    node,
    maxConversationSize: 100,
    now,
    heartbeatMs: BEAT,
    expiryMs: EXPIRY,
  })
  const connected = new Set<string>()
  const frames: { user: string; event: PresenceEvent }[] = []
  const deliver = (to: readonly string[], event: LiveEvent) => {
    for (const user of to) if (connected.has(user) && event.type === 'presence') frames.push({ user, event })
  }
  fanout.subscribe(({ to, event }) => {
    if (isControlEvent(event)) return presence.observe(event)
    if (event.type === 'presence') presence.observe(event)
    deliver(to, event)
  })
  presence.onLocalChange((change) => deliver(change.to, change.event))
  return {
    presence,
    frames,
    connect(userId) {
      connected.add(userId)
      presence.connected(userId)
    },
    disconnect(userId) {
      connected.delete(userId)
      presence.disconnected(userId)
    },
  }
}

/** What `viewer` was last told about `user` on this process. */
const shown = (process: Process, viewer: string, user: string) =>
  process.frames.filter((f) => f.user === viewer && f.event.userId === user).map((f) => (f.event.online ? 'online' : 'offline'))

const onlineIn = async (process: Process, viewer: string, user: string) =>
  (await process.presence.snapshot(viewer)).find((e) => e.userId === user)?.online

const heartbeatsOf = (net: Network, node: string) =>
  net.sent.filter(({ from, envelope }) => from === node && envelope.event.type === 'presence.heartbeat')

const rostersOf = (net: Network, node: string) =>
  net.sent.flatMap(({ from, envelope: { event } }) => (from === node && event.type === 'presence.roster' ? [event.users] : []))

describe('presence across processes', () => {
  const started: Process[] = []
  const start = (net: Network, store: FakeStore, node: string, now?: () => number) => {
    const process = startProcess(net, store, node, now)
    started.push(process)
    return process
  }

  beforeEach(() => {
    vi.useFakeTimers({ now: START })
  })
  afterEach(() => {
    for (const process of started.splice(0)) process.presence.close()
    vi.useRealTimers()
  })

  it('says it is alive every heartbeat, in a few bytes whatever it holds', async () => {
    const net = network()
    const a = start(net, fakeStore([]), 'n-a')
    for (let i = 0; i < 3_000; i++) a.connect(`u-${i}`)
    await vi.advanceTimersByTimeAsync(3 * BEAT)
    const beats = heartbeatsOf(net, 'n-a').map(({ envelope }) => envelope)
    expect(beats).toHaveLength(3)
    for (const beat of beats) {
      expect(beat).toEqual({ to: [], event: { type: 'presence.heartbeat', node: 'n-a', users: 3_000, digest: expect.any(Number) } })
      expect(JSON.stringify(beat).length).toBeLessThan(120)
    }
  })

  it('shows a crashed process’s users offline within 30 s of its last heartbeat, and not before 25 s', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    const [a, b] = [start(net, store, 'n-a'), start(net, store, 'n-b')]
    a.connect('alice')
    b.connect('bob')
    await vi.advanceTimersByTimeAsync(BEAT)
    expect(shown(a, 'alice', 'bob')).toEqual(['online'])
    const lastBeat = Date.now()
    net.down.add('n-b') // crashed right after its heartbeat: the worst case

    await vi.advanceTimersByTimeAsync(EXPIRY)
    expect(shown(a, 'alice', 'bob')).toEqual(['online'])
    await vi.advanceTimersByTimeAsync(30_000 - EXPIRY - 1)
    expect(shown(a, 'alice', 'bob')).toEqual(['online'])
    await vi.advanceTimersByTimeAsync(1)

    expect(shown(a, 'alice', 'bob')).toEqual(['online', 'offline'])
    expect(a.frames.at(-1)?.event).toMatchObject({ userId: 'bob', online: false, lastSeenAt: lastBeat })
    expect(await onlineIn(a, 'alice', 'bob')).toBe(false)
    expect((await a.presence.snapshot('alice')).find((e) => e.userId === 'bob')?.lastSeenAt).toBe(lastBeat)
    expect(store.writes).toEqual([['bob', lastBeat]])
  })

  it('keeps a user online who is still connected through another process', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    const [a, b, c] = [start(net, store, 'n-a'), start(net, store, 'n-b'), start(net, store, 'n-c')]
    a.connect('alice')
    b.connect('bob')
    c.connect('bob')
    await vi.advanceTimersByTimeAsync(BEAT)
    net.down.add('n-b')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(shown(a, 'alice', 'bob')).not.toContain('offline')
    expect(await onlineIn(a, 'alice', 'bob')).toBe(true)
  })

  it('has the lowest live process id write last seen, once per crash, and a cut-off process none', async () => {
    const net = network()
    const store = fakeStore([['alice', 'carol'], ['bob', 'carol']])
    const [a, b, c] = [start(net, store, 'n-a'), start(net, store, 'n-b'), start(net, store, 'n-c')]
    a.connect('alice')
    b.connect('bob')
    c.connect('carol')
    await vi.advanceTimersByTimeAsync(BEAT)
    net.down.add('n-c')
    await vi.advanceTimersByTimeAsync(30_000)
    expect(shown(a, 'alice', 'carol')).toEqual(['online', 'offline'])
    expect(shown(b, 'bob', 'carol')).toEqual(['online', 'offline'])
    expect(store.writes).toEqual([['carol', START + BEAT]])
  })

  it('brings back the users of a process heard again after lost heartbeats, on both sides', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    const [a, b] = [start(net, store, 'n-a'), start(net, store, 'n-b')]
    a.connect('alice')
    b.connect('bob')
    await vi.advanceTimersByTimeAsync(BEAT)
    net.down.add('n-b') // a partition: each side stops hearing the other
    await vi.advanceTimersByTimeAsync(40_000)
    expect(shown(a, 'alice', 'bob')).toEqual(['online', 'offline'])
    expect(shown(b, 'bob', 'alice')).toEqual(['online', 'offline'])

    net.down.delete('n-b')
    // The next heartbeat is heard, the roster asked for and sent (after the coalescing window).
    await vi.advanceTimersByTimeAsync(BEAT + 1_000)
    expect(shown(a, 'alice', 'bob')).toEqual(['online', 'offline', 'online'])
    expect(shown(b, 'bob', 'alice')).toEqual(['online', 'offline', 'online'])
    expect(await onlineIn(a, 'alice', 'bob')).toBe(true)
    expect(await onlineIn(b, 'bob', 'alice')).toBe(true)
  })

  it('tells a process that starts who is online at once, without waiting for a heartbeat', async () => {
    const net = network()
    const store = fakeStore([['carol', 'bob']])
    const a = start(net, store, 'n-a')
    a.connect('bob')
    await vi.advanceTimersByTimeAsync(BEAT / 2)
    const c = start(net, store, 'n-c')
    await vi.advanceTimersByTimeAsync(500)
    expect(heartbeatsOf(net, 'n-a')).toHaveLength(0)
    expect(await onlineIn(c, 'carol', 'bob')).toBe(true)
  })

  it('tells connections here when a roster shows someone online they were told was offline', async () => {
    const net = network()
    const store = fakeStore([['carol', 'bob']])
    const a = start(net, store, 'n-a')
    a.connect('bob')
    await vi.advanceTimersByTimeAsync(1_000)
    net.down.add('n-a') // the new process cannot reach it yet
    const c = start(net, store, 'n-c')
    c.connect('carol')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(await onlineIn(c, 'carol', 'bob')).toBe(false)
    net.down.delete('n-a')
    await vi.advanceTimersByTimeAsync(BEAT)
    expect(shown(c, 'carol', 'bob')).toEqual(['online'])
  })

  it('sends a big roster in chunks, and once for requests that arrive together', async () => {
    const net = network()
    const a = start(net, fakeStore([]), 'n-a')
    const users = Array.from({ length: 4_500 }, (_, i) => `u-${i}`)
    for (const user of users) a.connect(user)
    await vi.advanceTimersByTimeAsync(1_000)
    start(net, fakeStore([]), 'n-c')
    start(net, fakeStore([]), 'n-d')
    await vi.advanceTimersByTimeAsync(1_000)
    const chunks = rostersOf(net, 'n-a')
    expect(chunks.map((chunk) => chunk.length)).toEqual([2_000, 2_000, 500])
    expect(chunks.flat()).toEqual(users)
  })

  it('does not expire anyone on a sweep that ran late, when this process was stalled', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    // A's clock jumps a minute between two sweeps, as after a stall. B's heartbeat, which a stalled
    // process would find queued, comes before A's next sweep (B's timers were made first).
    let stall = 0
    const b = start(net, store, 'n-b')
    const a = start(net, store, 'n-a', () => Date.now() + stall)
    a.connect('alice')
    b.connect('bob')
    await vi.advanceTimersByTimeAsync(BEAT + 1_000)
    stall = 60_000
    await vi.advanceTimersByTimeAsync(30_000)
    expect(shown(a, 'alice', 'bob')).toEqual(['online'])
    expect(shown(b, 'bob', 'alice')).toEqual(['online'])
  })

  it('repairs a view that missed an offline announcement, at the next heartbeat', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    const [a, b] = [start(net, store, 'n-a'), start(net, store, 'n-b')]
    a.connect('alice')
    b.connect('bob')
    await vi.advanceTimersByTimeAsync(1_000)
    net.down.add('n-b') // a short disconnect: bob's offline announcement is lost
    b.disconnect('bob')
    await vi.advanceTimersByTimeAsync(1_000)
    net.down.delete('n-b')
    expect(await onlineIn(a, 'alice', 'bob')).toBe(true)
    await vi.advanceTimersByTimeAsync(BEAT)
    expect(shown(a, 'alice', 'bob')).toEqual(['online', 'offline'])
    expect(await onlineIn(a, 'alice', 'bob')).toBe(false)
  })

  it('repairs a view that missed an online announcement, at the next heartbeat', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    const [a, b] = [start(net, store, 'n-a'), start(net, store, 'n-b')]
    a.connect('alice')
    await vi.advanceTimersByTimeAsync(1_000)
    net.down.add('n-b')
    b.connect('bob')
    await vi.advanceTimersByTimeAsync(1_000)
    net.down.delete('n-b')
    await vi.advanceTimersByTimeAsync(BEAT)
    expect(shown(a, 'alice', 'bob')).toEqual(['online'])
  })

  it('asks for nothing while views agree', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    const [a, b] = [start(net, store, 'n-a'), start(net, store, 'n-b')]
    a.connect('alice')
    b.connect('bob')
    await vi.advanceTimersByTimeAsync(1_000)
    const asked = () => net.sent.filter(({ envelope }) => envelope.event.type === 'presence.roster.request').length
    const before = asked()
    for (let i = 0; i < 20; i++) b.connect(`u-${i}`)
    for (let i = 0; i < 20; i += 2) b.disconnect(`u-${i}`)
    a.connect('carol')
    await vi.advanceTimersByTimeAsync(10 * BEAT)
    expect(asked()).toBe(before)
  })

  it('changes nothing in a process alone: its own heartbeats and roster request come back to it', async () => {
    const net = network()
    const store = fakeStore([['alice', 'bob']])
    const a = start(net, store, 'n-a')
    a.connect('alice')
    a.connect('bob')
    await vi.advanceTimersByTimeAsync(120_000)
    expect(shown(a, 'alice', 'bob')).toEqual(['online'])
    expect(rostersOf(net, 'n-a')).toEqual([])
    expect(store.writes).toEqual([])
  })

  it('stops its heartbeats when closed', async () => {
    const net = network()
    const a = start(net, fakeStore([]), 'n-a')
    await vi.advanceTimersByTimeAsync(BEAT)
    a.presence.close()
    await vi.advanceTimersByTimeAsync(5 * BEAT)
    expect(heartbeatsOf(net, 'n-a')).toHaveLength(1)
  })
})
