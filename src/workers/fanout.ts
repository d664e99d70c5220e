/**
 * @module The fan-out worker: turns bus events into live events addressed to the users they
 * concern, and hands them to the fan-out port, which reaches every API process. Addressing reads
 * members from a cache, so a message costs no store read on its way to the sockets.
 */
import type { DomainEvent, Member } from '../core/model.js'
import type { MemberCache } from '../core/stream/member-cache.js'
import type { Bus, ConsumeOptions, Consumer } from '../ports/bus.js'
import type { Fanout } from '../ports/fanout.js'

export interface FanoutWorkerOptions {
  readonly bus: Bus
  readonly fanout: Fanout
  readonly members: MemberCache
  readonly consume: Omit<ConsumeOptions, 'batchSize'>
}

const userIds = (members: readonly Pick<Member, 'kind' | 'id'>[]): string[] =>
  members.filter((m) => m.kind === 'user').map((m) => m.id)

/** Who hears of the event: members at the time (a message only those who had joined before it). */
async function recipients(event: DomainEvent, cache: MemberCache): Promise<readonly string[]> {
  switch (event.type) {
    case 'message.created': {
      const members = await cache.members(event.conversationId)
      // The sender too: their other devices show what they sent.
      return userIds(members.filter((m) => m.joinedAfterSeq < event.seq))
    }
    case 'conversation.created':
      cache.invalidate(event.conversationId)
      return userIds(event.members)
    case 'member.joined':
      cache.invalidate(event.conversationId)
      return userIds(await cache.members(event.conversationId))
    case 'member.left': {
      cache.invalidate(event.conversationId)
      const remaining = userIds(await cache.members(event.conversationId))
      // The one who left hears it too, so their devices drop the conversation.
      return [...remaining, event.memberId]
    }
    case 'message.status':
    case 'conversation.updated':
      return userIds(await cache.members(event.conversationId))
    default:
      return []
  }
}

const liveTypes = new Set<string>([
  'message.created',
  'message.status',
  'conversation.created',
  'conversation.updated',
  'member.joined',
  'member.left',
])

export function createFanoutWorker({ bus, fanout, members, consume }: FanoutWorkerOptions): Consumer {
  return bus.consume(
    'fanout',
    async (batch) => {
      await members.prefetch?.(batch.map((delivery) => delivery.event.event.conversationId))
      // In order: a member.joined must invalidate the cache before the next message is addressed.
      for (const delivery of batch) {
        const { event } = delivery.event
        if (!liveTypes.has(event.type)) continue
        const to = await recipients(event, members)
        // The trace goes on to the processes that push it (tracing on: the event carries it).
        const trace = delivery.event.traceparent ? { traceparent: delivery.event.traceparent } : {}
        if (to.length > 0) await fanout.publish({ to, event, ...trace })
      }
    },
    { ...consume, batchSize: 512 },
  )
}
