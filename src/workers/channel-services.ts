/**
 * @module Channel routing in one process: which connectors it has (real settings where given, the
 * mounted simulators otherwise), the `channels` consumer group and the connector workers. The
 * composition root hands in the connector definitions; nothing here names a channel.
 */
import type { Logger } from 'pino'
import type { ChannelSettings } from '../config/load.js'
import type { ChannelAccounts } from '../core/channels/accounts.js'
import type { ConnectorDefinition } from '../ports/connector.js'
import type { Bus, ConsumeOptions, Consumer } from '../ports/bus.js'
import type { Store } from '../ports/store.js'
import { createChannelRouter } from './channel-router.js'
import { createChannelSender, type ChannelSenderOptions } from './channel-sender.js'

/** Every variable the connectors declare, with its doc: known to the configuration loader. */
export function connectorSettingDocs(definitions: Readonly<Record<string, ConnectorDefinition>>): Record<string, string> {
  return Object.fromEntries(Object.values(definitions).flatMap((d) => d.settings.map((s) => [s.env, s.doc])))
}

/** Whether every required setting of a connector is given: then it speaks to the real platform. */
export function hasOwnSettings(definition: ConnectorDefinition, values: Readonly<Record<string, string>>): boolean {
  return definition.settings.every((s) => s.default !== undefined || Boolean(values[s.env]))
}

/**
 * Adds a connector per channel: from its own settings when they are complete, else from
 * `simulated(channel)` (over the configured values) when a simulator stands in for it; a channel
 * with neither is left out.
 */
export function addConnectors(
  accounts: ChannelAccounts,
  definitions: Readonly<Record<string, ConnectorDefinition>>,
  values: Readonly<Record<string, string>>,
  simulated: (channel: string) => Record<string, string> | undefined,
  logger: Logger,
): void {
  for (const definition of Object.values(definitions)) {
    const own = hasOwnSettings(definition, values)
    const stand = own ? undefined : simulated(definition.channel)
    if (!own && !stand) continue
    // A simulator brings the account and credentials; the rest (pacing, templates, timeouts) still comes from the configuration.
    const settings = stand ? { ...values, ...stand } : values
    accounts.add(definition.create(settings))
    logger.info({ channel: definition.channel, target: own ? 'platform' : 'simulator' }, 'channel connector ready')
  }
}

export interface ChannelWorkers {
  readonly router: Consumer
  /** Resolves once the senders stopped (after `signal` aborts). */
  readonly done: Promise<void>
}

export function startChannelWorkers(deps: {
  readonly store: Store
  readonly bus: Bus
  readonly accounts: ChannelAccounts
  readonly consume: Omit<ConsumeOptions, 'batchSize'>
  readonly settings: ChannelSettings
  readonly logger: Logger
  readonly signal: AbortSignal
  readonly fileLink?: ChannelSenderOptions['fileLink']
  /** Send only on these channels; the router still queues for every configured one (another process sends those). */
  readonly channels?: readonly string[]
  /** One process sees every event (the memory bus): the router may cache members. */
  readonly singleProcess: boolean
}): ChannelWorkers {
  const { settings } = deps
  const sender = createChannelSender({
    store: deps.store,
    accounts: deps.accounts,
    policy: { maxAttempts: settings.maxAttempts, baseMs: settings.retryBaseMs, capMs: settings.retryCapMs },
    concurrency: settings.concurrency,
    pollMs: 250,
    leaseMs: 120_000,
    logger: deps.logger,
    ...(deps.fileLink ? { fileLink: deps.fileLink } : {}),
    ...(deps.channels ? { channels: deps.channels } : {}),
  })
  const router = createChannelRouter({
    bus: deps.bus,
    store: deps.store,
    accounts: deps.accounts,
    consume: deps.consume,
    onQueued: sender.wake,
    cacheMembers: deps.singleProcess,
  })
  return { router, done: sender.run(deps.signal) }
}
