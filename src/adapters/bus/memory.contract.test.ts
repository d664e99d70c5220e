import { describe, expect, it } from 'vitest'
import { busContract, busEvent, deadLetterRecorder, gate, settlesWithin } from '../../ports/bus.contract.js'
import { createMemoryBus } from './memory.js'

busContract('memory', async () => {
  const bus = createMemoryBus()
  return { bus, cleanup: () => bus.close() }
})

describe('memory bus: the outbox is its durable log', () => {
  const options = { batchSize: 10, maxAttempts: 3, deadLetters: deadLetterRecorder().sink }

  it('settles events only once every group is done with them', async () => {
    const bus = createMemoryBus()
    const held = gate()
    const fast = bus.consume('router', async () => {}, options)
    const slow = bus.consume('webhooks', async () => held.wait, options)
    await Promise.all([fast.start(), slow.start()])
    const events = [busEvent(1), busEvent(2)]
    await bus.publish(events)
    const settled = bus.settled!(events)
    expect(await settlesWithin(settled, 50)).toBe(false)
    held.open()
    await settled
    await bus.close()
  })

  it('fails settle waits when it closes, so the relay keeps unhandled events in the outbox', async () => {
    const bus = createMemoryBus()
    bus.consume('router', async () => {}, options) // registered, never started
    const event = busEvent()
    await bus.publish([event])
    const settled = bus.settled!([event])
    await bus.close()
    await expect(settled).rejects.toThrow(/closed/)
  })
})
