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
