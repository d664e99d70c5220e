/**
 * @module Where an event lives on the NATS bus: its partition (a stable hash of its ordering key) and
 * the subject and durable consumer names that partition uses. Every process must compute the same
 * partition for a key, so the hash is fixed (FNV-1a, 32 bits) and never depends on the runtime.
 */
import type { OutboxEvent } from '../../core/model.js'
import { orderingKey } from '../../ports/bus.js'

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** FNV-1a over the UTF-8 bytes of `text`, as an unsigned 32-bit number. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, FNV_PRIME)
  }
  return hash >>> 0
}

/** The partition of an event: all events of one key share it, so one consumer orders them. */
export function partitionOf(event: OutboxEvent, partitions: number): number {
  return fnv1a32(orderingKey(event)) % partitions
}

export function partitionSubject(subjectPrefix: string, partition: number): string {
  return `${subjectPrefix}.${partition}`
}

/**
 * The durable consumer of `group` on one partition. Consumer names allow no dots, wildcards or
 * spaces; a group name that needs cleaning gets a hash of the original, so two groups never merge.
 */
export function partitionConsumerName(group: string, partition: number): string {
  const clean = group.replace(/[^A-Za-z0-9_-]/g, '_')
  const name = clean === group ? group : `${clean}_${fnv1a32(group).toString(16)}`
  return `${name}_p${partition}`
}
