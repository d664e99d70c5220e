/**
 * @module The `channels` consumer group: for each accepted message, one durable delivery row per
 * external recipient whose channel this deployment serves, and per linked identity of a Chat4All
 * recipient on the channels the send named (`channels`, core/channels/routes.ts). It only writes rows (idempotent on
 * message and address), so it never stalls a conversation's events on a slow platform; the
 * connector workers (`channel-sender.ts`) send them, in seq order per recipient.
 */
import type { ChannelAccounts } from '../core/channels/accounts.js'
import { channelOf } from '../core/channels/accounts.js'
import { identitiesRouted } from '../core/channels/routes.js'
import type { Bus, ConsumeOptions, Consumer } from '../ports/bus.js'
import type { ChannelDeliveryDraft } from '../ports/channel-store.js'
import type { Member } from '../core/model.js'
import type { Store } from '../ports/store.js'

export interface ChannelRouterOptions {
  readonly bus: Bus
  readonly store: Store
  readonly accounts: ChannelAccounts
  readonly consume: Omit<ConsumeOptions, 'batchSize'>
  /**
   * Keep each conversation's members between messages (one process sees every event: the memory
   * bus). This group gets a conversation's events in order, so its own membership events keep the
   * cache true. On a shared bus another process may have seen the change: members are read afresh.
   */
  readonly cacheMembers?: boolean
  /** Called after rows were queued, so the senders in this process start at once. */
  readonly onQueued?: () => void
  readonly now?: () => number
}

export const channelsGroup = 'channels'

const maxCached = 10_000

export function createChannelRouter({ bus, store, accounts, consume, onQueued, cacheMembers = false, now = Date.now }: ChannelRouterOptions): Consumer {
  // Most conversations have no external member: caching saves the hot path a read per message.
  const cache = new Map<string, readonly Member[]>()
  const membersOf = async (conversationId: string): Promise<readonly Member[]> => {
    const cached = cache.get(conversationId)
    if (cached) return cached
    const members = await store.listMembers(conversationId)
    if (cacheMembers) {
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string)
      cache.set(conversationId, members)
    }
    return members
  }
  let since: number | undefined
  return bus.consume(
    channelsGroup,
    async (batch) => {
      since ??= await store.channelRoutingSince()
      const cutoff = since
      // Whole seconds at migration time: a message of the same second is routed.
      const routed = (d: (typeof batch)[number]) => d.event.event.type === 'message.created' && d.event.event.createdAt >= cutoff - 1_000
      const created = batch.flatMap((d) => (d.event.event.type === 'message.created' && routed(d) ? [d.event.event.messageId] : []))
      // One read per batch: the sends that asked for their recipients' linked identities too.
      const routes = created.length > 0 ? await store.getMessageRoutes(created) : new Map<string, readonly string[]>()
      let queued = 0
      for (const delivery of batch) {
        const { event } = delivery.event
        if (event.type === 'member.joined' || event.type === 'member.left' || event.type === 'conversation.created') cache.delete(event.conversationId)
        if (event.type !== 'message.created' || !routed(delivery)) continue
        const recipients = (await membersOf(event.conversationId)).filter((m) => m.id !== event.senderId && m.joinedAfterSeq < event.seq)
        const addresses = recipients.filter((m) => m.kind === 'external').map((m) => m.id)
        const channels = routes.get(event.messageId)
        if (channels) {
          const identities = await store.listIdentitiesOf(recipients.filter((m) => m.kind === 'user').map((m) => m.id))
          addresses.push(...identitiesRouted(channels, identities).map((identity) => identity.address))
        }
        const drafts: ChannelDeliveryDraft[] = []
        for (const address of new Set(addresses)) {
          const channel = channelOf(address)
          const account = channel === undefined ? undefined : accounts.get(channel)
          // A channel without a connector here has no way out: its members are left as they were (docs/channels.md).
          if (!channel || !account) continue
          drafts.push({ messageId: event.messageId, conversationId: event.conversationId, seq: event.seq, address, channel, account: account.connector.account })
        }
        queued += await store.queueChannelDeliveries(drafts, delivery.event.id, now())
      }
      if (queued > 0) onQueued?.()
    },
    { ...consume, batchSize: 128 },
  )
}
