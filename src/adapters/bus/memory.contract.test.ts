import { describe, expect, it } from 'vitest'
import { busContract, busEvent, eventually, gate } from '../../ports/bus.contract.js'
import { createMemoryBus } from './memory.js'

busContract('memory', async () => {
  const bus = createMemoryBus()
  return { bus, cleanup: () => bus.close() }
})

describe('memory bus', () => {
  it('fails publishes still waiting for consumers when it closes, so the outbox keeps their events', async () => {
    const bus = createMemoryBus()
    const held = gate()
    let delivered = false
    bus.consume(
      'router',
      async () => {
        delivered = true
        await held.wait
      },
      { batchSize: 1 },
    )
    const publishing = bus.publish([busEvent()])
    await eventually(() => delivered, 'the event is delivered')
    await bus.close()
    await expect(publishing).rejects.toThrow(/closed/)
    held.open()
  })
})
