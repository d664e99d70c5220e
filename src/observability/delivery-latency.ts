/**
 * @module End-to-end latency from acceptance to DELIVERED and READ, per recipient. A receipt names a
 * message by id or as a watermark (everything up to a seq), never with its acceptance time, so the
 * acceptance times of recent messages are remembered as their `message.created` events go by — in
 * the consumer group that sees every event (the live fan-out) — and a receipt is measured against
 * the newest message it covers. Bounded memory in two generations: when the young one is full it
 * becomes the old one and the previous old one is dropped whole — no per-entry eviction, which on a
 * Map (delete the first key, again and again) costs more the longer it runs.
 */
import type { DomainEvent } from '../core/model.js'
import type { PlatformMetrics } from '../ports/metrics.js'

/** Entries per generation: between this and twice this many recent messages are remembered. */
const generationSize = 50_000

export function createDeliveryLatency(metrics: PlatformMetrics): (event: DomainEvent) => void {
  let young = new Map<string, number>()
  let old = new Map<string, number>()
  const remember = (key: string, at: number) => {
    if (young.size >= generationSize) {
      old = young
      young = new Map()
    }
    young.set(key, at)
  }
  const acceptedAt = (key: string) => young.get(key) ?? old.get(key)
  return (event) => {
    if (event.type === 'message.created') {
      remember(`${event.conversationId}:${event.seq}`, event.createdAt)
      remember(event.messageId, event.createdAt)
      return
    }
    if (event.type !== 'message.status' || (event.status !== 'DELIVERED' && event.status !== 'READ')) return
    const created = acceptedAt(event.messageId ?? `${event.conversationId}:${event.upToSeq}`)
    if (created === undefined) return
    const stage = event.status === 'DELIVERED' ? 'delivered' : 'read'
    metrics.messageDeliveryLatency.observe(Math.max(0, event.at - created) / 1000, { stage })
  }
}
