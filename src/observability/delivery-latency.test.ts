import { describe, expect, it } from 'vitest'
import type { DomainEvent } from '../core/model.js'
import { noMetrics, type PlatformMetrics } from '../ports/metrics.js'
import { createDeliveryLatency } from './delivery-latency.js'

function recording() {
  const observed: { seconds: number; stage: string | undefined }[] = []
  const metrics: PlatformMetrics = { ...noMetrics, enabled: true, messageDeliveryLatency: { observe: (seconds, labels) => observed.push({ seconds, stage: labels?.['stage'] }) } }
  return { observed, observe: createDeliveryLatency(metrics) }
}

const created = (seq: number, createdAt: number): DomainEvent => ({
  type: 'message.created',
  messageId: `m${seq}`,
  conversationId: 'c1',
  seq,
  senderId: 'alice',
  payload: { type: 'text', text: 'hi' },
  metadata: null,
  createdAt,
})

const status = (status: 'DELIVERED' | 'READ' | 'SENT', at: number, target: { upToSeq: number; messageId?: string }): DomainEvent => ({
  type: 'message.status',
  conversationId: 'c1',
  memberId: 'bob',
  status,
  upToSeq: target.upToSeq,
  messageId: target.messageId ?? null,
  at,
})

describe('delivery latency', () => {
  it('measures a watermark receipt against the newest message it covers, and a per-message one by id', () => {
    const { observed, observe } = recording()
    observe(created(1, 1_000))
    observe(created(2, 2_000))
    observe(status('DELIVERED', 2_500, { upToSeq: 2 }))
    observe(status('READ', 5_000, { upToSeq: 0, messageId: 'm1' }))
    observe(status('SENT', 9_000, { upToSeq: 2 }))
    expect(observed).toEqual([
      { seconds: 0.5, stage: 'delivered' },
      { seconds: 4, stage: 'read' },
    ])
  })

  it('forgets old messages in bounded memory and still measures recent ones after many', () => {
    const { observed, observe } = recording()
    for (let seq = 1; seq <= 120_000; seq++) observe(created(seq, seq))
    observe(status('DELIVERED', 200_000, { upToSeq: 1 }))
    expect(observed, 'the first message is forgotten').toEqual([])
    observe(status('READ', 120_000 + 1_000, { upToSeq: 120_000 }))
    expect(observed).toEqual([{ seconds: 1, stage: 'read' }])
  })
})
