/**
 * @module Channels in one process, composed: the connector accounts, the platform webhook routes,
 * the simulators of the all-in-one shape, the `channels` consumer group, the senders and pollers.
 * The composition root (app.ts) hands in the connector definitions, the only adapter it needs.
 */
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { ConfigError, type Config } from './config/load.js'
import { breakerDetails, createChannelAccounts, type ChannelAccounts } from './core/channels/accounts.js'
import { channelFileLink } from './core/channels/file-link.js'
import { createChannelInbound } from './core/channels/inbound.js'
import { createInboundMedia } from './core/channels/inbound-media.js'
import { createChannelWebhooks } from './core/channels/webhooks.js'
import type { CoreContext } from './core/context.js'
import type { FilesContext } from './core/files/context.js'
import type { Bus, ConsumeOptions, Consumer } from './ports/bus.js'
import type { ConnectorDefinition } from './ports/connector.js'
import type { Store } from './ports/store.js'
import { isSimulatorName } from './simulators/index.js'
import { mountSimulators, type MountedSimulators } from './simulators/mount.js'
import { adminChannelRoutes } from './transports/http/routes/admin-channels.js'
import { channelWebhookRoutes } from './transports/http/routes/channel-webhooks.js'
import { identityRoutes } from './transports/http/routes/identities.js'
import { createMediaFetcher } from './workers/channel-media.js'
import { runChannelPoller } from './workers/channel-poller.js'
import { runChannelInboundQueue, type ChannelInboundWorker } from './workers/channel-inbound-queue.js'
import { addConnectors, startChannelWorkers, type ChannelWorkers } from './workers/channel-services.js'

export interface ChannelRoles {
  readonly api: boolean
  readonly worker: boolean
  readonly relay: boolean
  readonly connector?: boolean
  readonly connectorChannels?: readonly string[]
}

export interface ChannelSetupDeps {
  readonly config: Config
  readonly logger: Logger
  readonly roles: ChannelRoles
  readonly ctx: CoreContext
  readonly fx: FilesContext
  readonly store: Store
  readonly bus: Bus
  readonly definitions: Readonly<Record<string, ConnectorDefinition>>
  readonly consume: Omit<ConsumeOptions, 'batchSize'>
  readonly signal: AbortSignal
}

export interface ChannelSetup {
  readonly accounts: ChannelAccounts
  /** For `/ready`: each channel's account and breaker. */
  readyDetails(): Readonly<Record<string, unknown>>
  /** Before the server listens: webhook, identity and admin routes; the simulators in the all-in-one shape. */
  register(http: FastifyInstance): Promise<void>
  /** Once it listens at `url`: the connectors (simulated ones call this very server), and the connector role's workers. */
  start(url: string): Promise<readonly Consumer[]>
  /** Resolves once the senders and pollers stopped (after `signal` aborted). */
  done(): Promise<unknown>
}

export function createChannelSetup(deps: ChannelSetupDeps): ChannelSetup {
  const { config, logger: root, roles, ctx, fx, store } = deps
  const logger = root.child({ service: 'channels' })
  const accounts = createChannelAccounts()
  const owner = config.channels.owner ? { ownerUsername: config.channels.owner } : {}
  let inboundWorker: ChannelInboundWorker | undefined
  const inbound = createChannelInbound({
    ctx,
    accounts,
    ...owner,
    logger,
    storeMedia: createInboundMedia({ fx, fetchMedia: createMediaFetcher({ timeoutMs: 30_000 }), ...owner }),
    onQueued: () => inboundWorker?.wake(),
  })
  const onMessages = inbound.receive
  let sims: MountedSimulators | undefined
  let workers: ChannelWorkers | undefined
  let pollers: Promise<void>[] = []

  return {
    accounts,
    readyDetails: () => ({ channels: breakerDetails(accounts) }),

    async register(http) {
      if (roles.api) {
        await http.register(channelWebhookRoutes(createChannelWebhooks({ store, accounts, onMessages })))
        await http.register(identityRoutes(ctx))
        await http.register(adminChannelRoutes(ctx, accounts))
      }
      const allInOne = roles.api && roles.worker && roles.relay && roles.connector === true
      if (config.channels.simulators && allInOne) sims = await mountSimulators(http, config.channels.simulatorPrefix)
    },

    async start(url) {
      addConnectors(accounts, deps.definitions, config.channels.values, (channel) => (sims && isSimulatorName(channel) ? sims.settings(channel, url) : undefined), logger)
      for (const channel of config.channels.poll) {
        if (!accounts.get(channel)?.connector.poll) throw new ConfigError(`CHAT4ALL_CHANNEL_POLL names ${channel}, which has no connector here that can poll`)
      }
      await sims?.connect(url, config.channels.poll)
      // Where contacts' messages arrive (webhooks: API processes; polling: connector processes), their files are fetched.
      if (roles.api || roles.connector) inboundWorker = runChannelInboundQueue({ store, inbound, logger, signal: deps.signal })
      if (!roles.connector) return []
      workers = startChannelWorkers({
        store,
        bus: deps.bus,
        accounts,
        consume: deps.consume,
        settings: config.channels,
        logger,
        signal: deps.signal,
        fileLink: channelFileLink(fx, config.files.publicUrl ?? url),
        ...(roles.connectorChannels ? { channels: roles.connectorChannels } : {}),
        singleProcess: !config.bus.startsWith('nats://'),
      })
      await workers.router.start()
      pollers = config.channels.poll.map((channel) => runChannelPoller({ store, accounts, onMessages, locks: store, channel, logger, signal: deps.signal }))
      return [workers.router]
    },

    done: () => Promise.all([workers?.done, inboundWorker?.done, ...pollers]),
  }
}
