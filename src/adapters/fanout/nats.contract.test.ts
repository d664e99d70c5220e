/**
 * The fan-out contract on NATS, with the publisher and the subscriber on separate connections, as
 * two processes would be, plus what only a networked adapter can get wrong: a close that drops what
 * was just published, and foreign bytes on the subject.
 */
import { connect } from '@nats-io/transport-node'
import { afterEach, describe, expect, it } from 'vitest'
import type { Envelope } from '../../core/stream/live-event.js'
import { fanoutContract } from '../../ports/fanout.contract.js'
import { natsAvailable, natsUrl, uniqueName } from '../../../test/support/nats.js'
import { createNatsFanout, serverList, type NatsFanout } from './nats.js'

const available = await natsAvailable()

async function pair(subjectPrefix = uniqueName('c4a_live')) {
  const publisher = await createNatsFanout({ servers: natsUrl, subjectPrefix, name: 'contract-publisher' })
  const subscriber = await createNatsFanout({ servers: natsUrl, subjectPrefix, name: 'contract-subscriber' })
  return { publisher, subscriber, subjectPrefix }
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const typing = (n: number): Envelope => ({
  to: [`u-${n}`],
  event: { type: 'typing', conversationId: 'c-1', userId: `u-${n}`, expiresAt: 1_700_000_000_000 + n },
})

describe.skipIf(!available)('nats fan-out', () => {
  fanoutContract('nats', async () => {
    const { publisher, subscriber } = await pair()
    return {
      publisher,
      subscriber,
      settle: async () => {
        await Promise.all([publisher.flush(), subscriber.flush()])
      },
      cleanup: async () => {
        await Promise.all([publisher.close(), subscriber.close()])
      },
    }
  })

  describe('what the network adds', () => {
    const opened: NatsFanout[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((fanout) => fanout.close()))
    })

    it('delivers what was published just before close: close drains', async () => {
      const { publisher, subscriber } = await pair()
      opened.push(publisher, subscriber)
      const seen: Envelope[] = []
      subscriber.subscribe((e) => seen.push(e))
      await subscriber.flush()
      for (let i = 0; i < 50; i++) await publisher.publish(typing(i))
      await publisher.close()
      await eventually(() => seen.length === 50, 'all 50 arrived after the publisher closed')
    })

    it('drops bytes that are not an envelope and keeps delivering', async () => {
      const { publisher, subscriber, subjectPrefix } = await pair()
      opened.push(publisher, subscriber)
      const seen: Envelope[] = []
      subscriber.subscribe((e) => seen.push(e))
      await subscriber.flush()
      const foreign = await connect({ servers: serverList(natsUrl) })
      try {
        foreign.publish(`${subjectPrefix}.all`, 'not json')
        foreign.publish(`${subjectPrefix}.all`, JSON.stringify({ to: 'u-1', event: { type: 'typing' } }))
        await foreign.flush()
      } finally {
        await foreign.close()
      }
      await publisher.publish(typing(1))
      await eventually(() => seen.length === 1, 'the envelope after the garbage arrived')
      expect(seen).toEqual([typing(1)])
    })

    it('keeps deployments apart by subject prefix', async () => {
      const mine = await pair()
      const theirs = await createNatsFanout({ servers: natsUrl, subjectPrefix: uniqueName('c4a_live') })
      opened.push(mine.publisher, mine.subscriber, theirs)
      const seen: Envelope[] = []
      const strays: Envelope[] = []
      mine.subscriber.subscribe((e) => seen.push(e))
      theirs.subscribe((e) => strays.push(e))
      await Promise.all([mine.subscriber.flush(), theirs.flush()])
      await mine.publisher.publish(typing(1))
      await eventually(() => seen.length === 1, 'the envelope arrived in its own deployment')
      await theirs.flush()
      expect(strays).toEqual([])
    })
  })

  it('reads server lists as the bus URL spells them', () => {
    expect(serverList('nats://a:4222?namespace=x, nats://b:4223/')).toEqual(['a:4222', 'b:4223'])
  })
})
