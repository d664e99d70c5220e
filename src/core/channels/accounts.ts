/**
 * @module The channel accounts this deployment serves: one connector per channel, each behind its
 * send guard (pacing and circuit breaker). Filled by the composition root once the connectors can
 * be built (the all-in-one knows its simulators' URL only after it listens).
 */
import type { Connector } from '../../ports/connector.js'
import { createSendGuard, type SendGuard } from './send-guard.js'

export interface ChannelAccount {
  readonly connector: Connector
  readonly guard: SendGuard
}

export interface ChannelAccounts {
  get(channel: string): ChannelAccount | undefined
  /** The channels with a connector. */
  channels(): readonly string[]
  add(connector: Connector): void
}

export function createChannelAccounts(): ChannelAccounts {
  const accounts = new Map<string, ChannelAccount>()
  return {
    get: (channel) => accounts.get(channel),
    channels: () => [...accounts.keys()],
    add(connector) {
      accounts.set(connector.channel, { connector, guard: createSendGuard({ pacing: connector.capabilities.pacing }) })
    },
  }
}

/** `whatsapp` of `whatsapp:+5511…`; undefined for a reference that is not a channel address. */
export function channelOf(address: string): string | undefined {
  const colon = address.indexOf(':')
  return colon > 0 ? address.slice(0, colon) : undefined
}

/** Each channel's account and circuit breaker, for `/ready` (an open breaker is not "down": the rest works). */
export function breakerDetails(accounts: ChannelAccounts): Record<string, { account: string; breaker: string; consecutive_failures: number; probe_at: string | null }> {
  return Object.fromEntries(
    accounts.channels().flatMap((channel) => {
      const account = accounts.get(channel)
      if (!account) return []
      const snapshot = account.guard.breaker()
      return [[channel, {
        account: account.connector.account,
        breaker: snapshot.state,
        consecutive_failures: snapshot.consecutiveFailures,
        probe_at: snapshot.probeAt === undefined ? null : new Date(snapshot.probeAt).toISOString(),
      }]]
    }),
  )
}
