/**
 * @module A Store whose SQLite connection lives on a worker thread. Every port method becomes a
 * message round trip; appends still batch (the batcher runs beside the connection). Callbacks —
 * drainOutbox's `publish`, onOutboxWrite's listener — stay on this thread and are called back.
 * Named locks are the exception: they guard work of this thread, so they are kept here.
 */
import { Worker } from 'node:worker_threads'
import type { Store } from '../../../ports/store.js'
import type { SqliteStoreOptions } from '../sqlite.js'
import { createLocalLocks } from '../local-locks.js'
import { deserializeError, serializeError, type FromWorker, type ToWorker } from './protocol.js'

type AnyFunction = (...args: unknown[]) => unknown

interface PendingCall {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  readonly callbacks: readonly AnyFunction[]
  /** Listener registrations keep their callbacks after the call returns. */
  readonly persistent: boolean
}

/** Methods whose callback outlives the call. */
const persistentCallbacks = new Set(['onOutboxWrite'])

export async function createSqliteWorkerStore(options: SqliteStoreOptions): Promise<Store> {
  // Compiled (dist/, plain node) the built thread.js loads as is; from the source (tsx, vitest) the
  // .mjs entry registers tsx on the thread first, and tsc does not copy it into dist/.
  const entry = import.meta.url.endsWith('.js') ? './thread.js' : './thread-entry.mjs'
  const worker = new Worker(new URL(entry, import.meta.url), { workerData: options })
  const calls = new Map<number, PendingCall>()
  const listeners = new Map<number, PendingCall>()
  let nextId = 0
  /** Errors main-thread callbacks threw, by invocation, until the call that ran them settles. */
  const thrownByCallbacks = new Map<number, unknown>()
  let failure: Error | undefined

  const post = (message: ToWorker) => worker.postMessage(message)

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'ready') {
        return message.ok ? resolve() : reject(deserializeError(message.error!))
      }
      if (message.kind === 'result') {
        const call = calls.get(message.id)
        if (!call) return
        if (!call.persistent) calls.delete(message.id)
        if (message.ok) return call.resolve(message.value)
        const invocation = message.error?.callbackInvocation
        const original = invocation === undefined ? undefined : thrownByCallbacks.get(invocation)
        if (invocation !== undefined) thrownByCallbacks.delete(invocation)
        return call.reject(original instanceof Error ? original : deserializeError(message.error!))
      }
      const owner = calls.get(message.id) ?? listeners.get(message.id)
      const callback = owner?.callbacks[message.index]
      Promise.resolve()
        .then(() => {
          if (!callback) throw new Error('callback no longer registered')
          return callback(...message.args)
        })
        .then(
          (value) => post({ kind: 'callback-result', invocation: message.invocation, ok: true, value }),
          (error: unknown) => {
            if (owner?.persistent) {
              // A listener's failure is its own: reported, never turned into a failed write.
              process.emitWarning(`a store listener threw: ${String(error)}`)
              return post({ kind: 'callback-result', invocation: message.invocation, ok: true })
            }
            thrownByCallbacks.set(message.invocation, error)
            post({ kind: 'callback-result', invocation: message.invocation, ok: false, error: serializeError(error) })
          },
        )
    })
    worker.on('error', (error) => {
      failure = error
      reject(error)
      for (const call of calls.values()) call.reject(error)
      calls.clear()
    })
  })
  await ready

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (failure) return Promise.reject(failure)
    const id = ++nextId
    const callbacks: AnyFunction[] = []
    const wireArgs = args.map((arg) => {
      if (typeof arg !== 'function') return arg
      callbacks.push(arg as AnyFunction)
      return { __callback: callbacks.length - 1 }
    })
    const persistent = persistentCallbacks.has(method)
    return new Promise((resolve, reject) => {
      const pending: PendingCall = { resolve, reject, callbacks, persistent }
      calls.set(id, pending)
      if (persistent) listeners.set(id, pending)
      post({ kind: 'call', id, method, args: wireArgs })
    })
  }

  const closeStore = async () => {
    await call('close', [])
    await worker.terminate()
  }

  // A lock held on the store thread would cost two round trips and send the work's result across.
  const locks = createLocalLocks()

  // Any port method, including ones added later, is forwarded by name.
  return new Proxy({} as Store, {
    get(_target, property) {
      if (property === 'then') return undefined // not a thenable: `await store` must not call it
      if (property === 'close') return closeStore
      if (property === 'withLock') return locks.withLock
      if (property === 'tryWithLock') return locks.tryWithLock
      if (typeof property !== 'string') return undefined
      if (property === 'onOutboxWrite') {
        return (listener: () => void) => {
          void call('onOutboxWrite', [listener])
        }
      }
      return (...args: unknown[]) => call(property, args)
    },
  })
}
