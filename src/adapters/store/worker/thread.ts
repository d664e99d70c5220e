/**
 * @module The store's worker thread: opens the SQLite store here and serves calls from the event
 * loop, so SQLite's page writes and commits use a second core instead of the request thread.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import type { Store } from '../../../ports/store.js'
import { createSqliteStore, type SqliteStoreOptions } from '../sqlite.js'
import {
  isCallbackMarker,
  serializeError,
  type CallbackResultMessage,
  type FromWorker,
  type ToWorker,
} from './protocol.js'

if (!parentPort) throw new Error('the store thread must run as a worker')
const port: MessagePort = parentPort

const send = (message: FromWorker) => port.postMessage(message)
const pendingCallbacks = new Map<number, (message: CallbackResultMessage) => void>()
let invocations = 0

/** Turns a callback marker into a function that runs the main thread's callback and awaits it. */
function remoteCallback(callId: number, index: number) {
  return (...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const invocation = ++invocations
      pendingCallbacks.set(invocation, (reply) => {
        if (reply.ok) return resolve(reply.value)
        // Tagged, so the main thread hands its caller the very error its callback threw.
        reject(Object.assign(new Error(reply.error?.message), { callbackInvocation: invocation }))
      })
      send({ kind: 'callback', id: callId, index, invocation, args })
    })
}

async function serve(store: Store): Promise<void> {
  const methods = store as unknown as Record<string, (...args: unknown[]) => unknown>
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'callback-result') {
      pendingCallbacks.get(message.invocation)?.(message)
      pendingCallbacks.delete(message.invocation)
      return
    }
    const args = message.args.map((arg) => (isCallbackMarker(arg) ? remoteCallback(message.id, arg.__callback) : arg))
    const method = methods[message.method]
    Promise.resolve()
      .then(() => {
        if (typeof method !== 'function') throw new Error(`the store has no method '${message.method}'`)
        return method.apply(store, args)
      })
      .then(
        (value) => send({ kind: 'result', id: message.id, ok: true, value }),
        (error: unknown) => send({ kind: 'result', id: message.id, ok: false, error: serializeError(error) }),
      )
  })
}

createSqliteStore(workerData as SqliteStoreOptions).then(
  async (store) => {
    await serve(store)
    send({ kind: 'ready', ok: true })
  },
  (error: unknown) => send({ kind: 'ready', ok: false, error: serializeError(error) }),
)
