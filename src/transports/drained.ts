/** @module Waiting for a stream's write buffer to empty: the SSE response and the gRPC Subscribe call share the rule. */
import type { EventEmitter } from 'node:events'

/**
 * Resolves once `stream` emits 'drain', or `gone` (it closed), or at once when `ready()` already
 * holds. The 250 ms timer only guards against waiting forever for an event that never comes.
 */
export function drained(stream: EventEmitter, gone: string, ready: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ready()) return resolve()
    const done = () => {
      clearTimeout(timer)
      stream.off('drain', done)
      stream.off(gone, done)
      resolve()
    }
    const timer = setTimeout(done, 250)
    stream.on('drain', done)
    stream.on(gone, done)
  })
}
