import type { NatsConnection } from '@nats-io/nats-core'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OutboxEvent } from '../../core/model.js'
import { busContract, busEvent, deadLetterRecorder, eventually, gate, keyOverlapWatch } from '../../ports/bus.contract.js'
import type { Bus, ConsumeOptions, Consumer } from '../../ports/bus.js'
import { natsAvailable, natsUrl, uniqueName } from '../../../test/support/nats.js'
import { createNatsBus, deleteNatsStream, natsBusDefaults, type NatsBusOptions } from './nats.js'
import { fnv1a32, partitionConsumerName, partitionOf, partitionSubject } from './nats-partitions.js'

// Every connection the adapter opens, so a test can cut one as a crashed process would.
const opened = vi.hoisted((): NatsConnection[] => [])
vi.mock('@nats-io/transport-node', async (importOriginal) => {
  const original = await importOriginal<typeof import('@nats-io/transport-node')>()
  return {
    ...original,
    connect: async (...args: Parameters<typeof original.connect>) => {
      const connection = await original.connect(...args)
      opened.push(connection)
      return connection
    },
  }
})

const available = await natsAvailable()
const ACK_WAIT_MS = 1_000

/** A stream and subjects no other test uses. */
function freshPlace(): { readonly stream: string; readonly subjectPrefix: string } {
  const name = uniqueName('chat4all_test')
  return { stream: name, subjectPrefix: `${name}.events` }
}

const quiet: NatsBusOptions['onError'] = () => {}

/** Opens a bus and returns the connection it opened too. */
async function openBus(place: ReturnType<typeof freshPlace>, extra: Partial<NatsBusOptions> = {}): Promise<{ bus: Bus; connection: NatsConnection }> {
  const before = opened.length
  const bus = await createNatsBus({ servers: natsUrl, ackWaitMs: ACK_WAIT_MS, ...place, ...extra })
  const connection = opened[before]
  if (!connection) throw new Error('the bus opened no connection')
  return { bus, connection }
}

const seqOf = (event: OutboxEvent): number => (event.event.type === 'message.created' ? event.event.seq : -1)

if (available) {
  busContract('nats', async () => {
    const place = freshPlace()
    const { bus } = await openBus(place, { onError: quiet })
    return {
      bus,
      cleanup: async () => {
        await bus.close()
        await deleteNatsStream(natsUrl, place.stream)
      },
    }
  })

  describe('nats bus: several processes on one durable stream', () => {
    const buses: Bus[] = []
    const consumers: Consumer[] = []
    const streams: string[] = []
    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()))
      await Promise.all(buses.splice(0).map((bus) => bus.close()))
      await Promise.all(streams.splice(0).map((stream) => deleteNatsStream(natsUrl, stream)))
    })
    const place = () => {
      const fresh = freshPlace()
      streams.push(fresh.stream)
      return fresh
    }
    const open = async (where: ReturnType<typeof freshPlace>, extra: Partial<NatsBusOptions> = {}) => {
      const handle = await openBus(where, { onError: quiet, ...extra })
      buses.push(handle.bus)
      return handle
    }
    const options: ConsumeOptions = { batchSize: 10, maxAttempts: 3, deadLetters: deadLetterRecorder().sink, backoff: { baseMs: 10, capMs: 20 } }

    it('shares a group between two processes: each event once, each key in publish order, never two at once', async () => {
      const where = place()
      const [a, b] = [await open(where), await open(where)]
      const handled: { instance: string; id: string; key: string; seq: number; attempt: number }[] = []
      const watch = keyOverlapWatch()
      for (const [instance, { bus }] of [['a', a], ['b', b]] as const) {
        const consumer = bus.consume(
          'router',
          (batch) =>
            watch.around(batch, async () => {
              await new Promise((resolve) => setTimeout(resolve, 1))
              for (const d of batch) {
                handled.push({ instance, id: d.event.id, key: d.event.event.conversationId, seq: seqOf(d.event), attempt: d.attempt })
              }
            }),
          options,
        )
        consumers.push(consumer)
        await consumer.start()
      }
      const keys = Array.from({ length: 10 }, (_, i) => `c-${i}`)
      const events = Array.from({ length: 200 }, (_, i) => busEvent(Math.floor(i / 10) + 1, keys[i % 10]))
      for (let i = 0; i < events.length; i += 50) await a.bus.publish(events.slice(i, i + 50))
      await eventually(() => handled.length >= events.length, 'every event is handled', 20_000)
      await new Promise((resolve) => setTimeout(resolve, 300)) // room for a wrongful second delivery

      expect(handled).toHaveLength(events.length)
      expect(new Set(handled.map((h) => h.id))).toEqual(new Set(events.map((e) => e.id)))
      for (const key of keys) {
        expect(handled.filter((h) => h.key === key).map((h) => h.seq), key).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      }
      expect(handled.every((h) => h.attempt === 1)).toBe(true)
      expect(watch.overlapped(), 'two batches held one key at once').toBe(false)
      const byInstance = { a: handled.filter((h) => h.instance === 'a').length, b: handled.filter((h) => h.instance === 'b').length }
      console.info(`events handled per process: ${JSON.stringify(byInstance)}`)
      expect(byInstance.a).toBeGreaterThan(0)
      expect(byInstance.b).toBeGreaterThan(0)
    })

    it('hands an event held by a crashed process to another one after the ack wait, as attempt 2', async () => {
      const where = place()
      const a = await open(where)
      const b = await open(where)
      const hung = gate()
      const takenByA: string[] = []
      const consumerA = a.bus.consume('router', async (batch) => {
        takenByA.push(...batch.map((d) => d.event.id))
        await hung.wait
      }, options)
      consumers.push(consumerA)
      await consumerA.start()
      const event = busEvent(1, 'c-crash')
      await a.bus.publish([event])
      await eventually(() => takenByA.includes(event.id), 'process A holds the event')

      // B joins while A holds the event: the partition gives B nothing until A acks or is gone.
      const takenByB: { id: string; attempt: number; at: number }[] = []
      const consumerB = b.bus.consume('router', async (batch) => {
        takenByB.push(...batch.map((d) => ({ id: d.event.id, attempt: d.attempt, at: Date.now() })))
      }, options)
      consumers.push(consumerB)
      await consumerB.start()
      await new Promise((resolve) => setTimeout(resolve, ACK_WAIT_MS + 500))
      expect(takenByB, 'B must wait while A is alive and working on it').toEqual([])

      const crashedAt = Date.now()
      await a.connection.close() // the process dies: no ack, no nak
      try {
        await eventually(() => takenByB.length > 0, 'process B takes the event over', ACK_WAIT_MS + 2_000)
        const takeOverMs = takenByB[0]!.at - crashedAt
        console.info(`take-over after a crash: ${takeOverMs} ms (ack wait ${ACK_WAIT_MS} ms)`)
        expect(takenByB[0]).toMatchObject({ id: event.id, attempt: 2 })
      } finally {
        hung.open() // lets the dead process's handler return, so its consumer can stop
      }
    })

    it('stores an event published twice within the duplicate window once', async () => {
      const where = place()
      const relay = await open(where)
      const failover = await open(where) // a second relay republishing after the first one crashed
      const event = busEvent()
      await relay.bus.publish([event])
      await relay.bus.publish([event])
      await failover.bus.publish([event, busEvent(2)])
      const jsm = await jetstreamManager(relay.connection)
      const info = await jsm.streams.info(where.stream)
      expect(info.state.messages).toBe(2)

      const seen: string[] = []
      const consumer = failover.bus.consume('router', async (batch) => void seen.push(...batch.map((d) => d.event.id)), options)
      consumers.push(consumer)
      await consumer.start()
      await eventually(() => seen.length >= 2, 'both stored events are delivered')
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(seen.filter((id) => id === event.id)).toHaveLength(1)
    })

    it('dead-letters bytes that are no event, acks them, and moves on to the next event of the partition', async () => {
      const where = place()
      const { bus, connection } = await open(where)
      const letters = deadLetterRecorder()
      const handled: string[] = []
      const consumer = bus.consume('router', async (batch) => void handled.push(...batch.map((d) => d.event.id)), {
        ...options,
        deadLetters: letters.sink,
      })
      consumers.push(consumer)
      await consumer.start()
      const after = busEvent(1, 'c-garbled')
      const subject = partitionSubject(where.subjectPrefix, partitionOf(after, natsBusDefaults.partitions))
      await jetstream(connection).publish(subject, 'not an event')
      await bus.publish([after])
      await eventually(() => handled.includes(after.id), 'the event after the garbled bytes is handled')
      expect(letters.letters).toHaveLength(1)
      expect(letters.letters[0]).toMatchObject({ group: 'router', attempts: 1, error: expect.stringMatching(/^PermanentFailure: undecodable event \(not JSON\)/) })
    })
  })
} else {
  describe.skip('nats bus (no NATS server reachable)', () => {
    it('runs the bus contract against NATS JetStream', () => {})
  })
}

describe('nats bus: partitions', () => {
  it('hashes a key the same in every process (FNV-1a, 32 bits)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5)
    expect(fnv1a32('a')).toBe(0xe40c292c)
    expect(fnv1a32('foobar')).toBe(0xbf9cf968)
  })

  it('puts every event of a key on one partition and spreads keys over all of them', () => {
    const partitionsOf = (key: string) => new Set(Array.from({ length: 5 }, (_, i) => partitionOf(busEvent(i + 1, key), 32)))
    expect(partitionsOf('c-1').size).toBe(1)
    const used = new Set(Array.from({ length: 1_000 }, (_, i) => partitionOf(busEvent(1, `conversation-${i}`), 32)))
    expect(used.size).toBe(32)
  })

  it('names a durable consumer per group and partition, cleaning names the server refuses', () => {
    expect(partitionConsumerName('router', 7)).toBe('router_p7')
    expect(partitionConsumerName('web.hooks', 0)).toMatch(/^web_hooks_[0-9a-f]+_p0$/)
    expect(partitionConsumerName('web.hooks', 0)).not.toBe(partitionConsumerName('web_hooks', 0))
  })
})
