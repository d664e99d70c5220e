/**
 * @module Inbound by long polling, for accounts that cannot receive webhooks (Telegram `getUpdates`,
 * `CHAT4ALL_CHANNEL_POLL=telegram`). A platform lets one poller per account at a time, so one
 * process polls, holding a store lock; the others wait to take over if it goes. Events go through
 * the same ingestion as webhooks (deduplicated by event id), so a poll repeated after a crash adds
 * nothing: the cursor confirms updates only once they were stored.
 */
import type { Logger } from 'pino'
import { ingestEvents, type IngestDeps } from '../core/channels/webhooks.js'
import { pause } from '../core/pause.js'
import type { LockStore } from '../ports/store.js'

export function runChannelPoller(deps: IngestDeps & { readonly locks: LockStore; readonly channel: string; readonly logger: Logger; readonly signal: AbortSignal }): Promise<void> {
  const { channel, logger, signal } = deps
  const poll = async () => {
    const connector = deps.accounts.get(channel)?.connector
    if (!connector?.poll) throw new Error(`${channel} cannot be polled`)
    let cursor: string | undefined
    let failures = 0
    while (!signal.aborted) {
      try {
        const page = await connector.poll(cursor, { waitSeconds: 25, signal })
        await ingestEvents(deps, channel, page.events)
        cursor = page.cursor
        failures = 0
      } catch (error) {
        if (signal.aborted) return
        failures += 1
        logger.warn({ err: error, channel, failures }, 'polling the platform failed')
        await pause(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), signal)
      }
    }
  }
  return (async () => {
    while (!signal.aborted) {
      const held = await deps.locks.tryWithLock(`channel-poll:${channel}`, poll).catch((error: unknown) => {
        logger.error({ err: error, channel }, 'the poller stopped')
        return undefined
      })
      // Another process polls (or this one failed): look again in a while, to take over if it is gone.
      if (!held && !signal.aborted) await pause(5_000, signal)
    }
  })()
}
