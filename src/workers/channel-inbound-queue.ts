/**
 * @module The inbound worker: takes in the contacts' messages that were queued while their files
 * are fetched (core/channels/inbound.ts), one at a time in arrival order, so a contact's messages
 * land in the order they were sent. One process works the queue at a time, holding a store lock;
 * the others wait to take over if it goes. A webhook queued in another process is seen at the next
 * poll; one queued here wakes the worker at once.
 */
import type { Logger } from 'pino'
import type { ChannelInbound } from '../core/channels/inbound.js'
import { pause } from '../core/pause.js'
import type { ChannelStore } from '../ports/channel-store.js'
import type { LockStore } from '../ports/store.js'

export interface ChannelInboundWorker {
  /** Something was queued in this process: look now. */
  wake(): void
  /** Resolves once the worker stopped (after `signal` aborted). */
  readonly done: Promise<void>
}

export function runChannelInboundQueue(deps: {
  readonly store: ChannelStore & LockStore
  readonly inbound: Pick<ChannelInbound, 'takeQueued'>
  readonly logger: Logger
  readonly signal: AbortSignal
  /** How often the holder looks for messages queued by other processes, and others try to take over. */
  readonly pollMs?: number
}): ChannelInboundWorker {
  const { store, logger, signal } = deps
  const pollMs = deps.pollMs ?? 1_000
  let wakeUp: AbortController | undefined

  const waitForWork = async () => {
    const woken = new AbortController()
    wakeUp = woken
    await pause(pollMs, AbortSignal.any([signal, woken.signal]))
    wakeUp = undefined
  }

  const work = async () => {
    let failures = 0
    while (!signal.aborted) {
      try {
        const items = await store.listQueuedChannelInbound(16)
        if (items.length === 0) {
          await waitForWork()
          continue
        }
        for (const item of items) {
          if (signal.aborted) return
          await deps.inbound.takeQueued(item)
        }
        failures = 0
      } catch (error) {
        // The store is unreachable or a write failed: the item stays queued and is tried again.
        failures += 1
        logger.error({ err: error, failures }, 'taking in a queued inbound message failed')
        await pause(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), signal)
      }
    }
  }

  const done = (async () => {
    while (!signal.aborted) {
      const held = await store.tryWithLock('channel-inbound-queue', work).catch((error: unknown) => {
        logger.error({ err: error }, 'the inbound worker stopped')
        return undefined
      })
      if (!held && !signal.aborted) await pause(pollMs * 5, signal)
    }
  })()

  return {
    wake: () => wakeUp?.abort(),
    done,
  }
}
