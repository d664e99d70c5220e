/**
 * @module The messages between the event loop and the store's worker thread. Function arguments
 * (callbacks such as drainOutbox's `publish`) cross as markers and are called back by message.
 */
import { AppError, type ErrorCode } from '../../../core/errors.js'

/** Main → worker: call a store method. */
export interface CallMessage {
  readonly kind: 'call'
  readonly id: number
  readonly method: string
  readonly args: readonly unknown[]
}

/** Worker → main: a method's result. */
export interface ResultMessage {
  readonly kind: 'result'
  readonly id: number
  readonly ok: boolean
  readonly value?: unknown
  readonly error?: SerializedError
}

/** Worker → main: invoke callback `index` of call `id`. */
export interface CallbackMessage {
  readonly kind: 'callback'
  readonly id: number
  readonly index: number
  readonly invocation: number
  readonly args: readonly unknown[]
}

/** Main → worker: what a callback returned. */
export interface CallbackResultMessage {
  readonly kind: 'callback-result'
  readonly invocation: number
  readonly ok: boolean
  readonly value?: unknown
  readonly error?: SerializedError
}

export interface ReadyMessage {
  readonly kind: 'ready'
  readonly ok: boolean
  readonly error?: SerializedError
}

export type ToWorker = CallMessage | CallbackResultMessage
export type FromWorker = ResultMessage | CallbackMessage | ReadyMessage

export interface CallbackMarker {
  readonly __callback: number
}

export function isCallbackMarker(value: unknown): value is CallbackMarker {
  return typeof value === 'object' && value !== null && '__callback' in value
}

export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly code?: string
  readonly status?: number
  readonly field?: string
  readonly retryable?: boolean
  readonly stack?: string
  /** Set when the error is one a main-thread callback threw: the original object is rethrown. */
  readonly callbackInvocation?: number
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof AppError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      status: error.status,
      ...(error.field === undefined ? {} : { field: error.field }),
      retryable: error.retryable,
    }
  }
  const e = error as { name?: string; message?: string; code?: unknown; stack?: string; callbackInvocation?: number }
  return {
    ...(typeof e.callbackInvocation === 'number' ? { callbackInvocation: e.callbackInvocation } : {}),
    name: e.name ?? 'Error',
    message: e.message ?? String(error),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(e.stack ? { stack: e.stack } : {}),
  }
}

/** Rebuilds an AppError as an AppError (the error handler relies on it), anything else as an Error. */
export function deserializeError(error: SerializedError): Error {
  if (error.name === 'AppError' && error.code && error.status !== undefined) {
    return new AppError(error.code as ErrorCode, error.status, error.message, {
      ...(error.field === undefined ? {} : { field: error.field }),
      retryable: error.retryable ?? false,
    })
  }
  const rebuilt = new Error(error.message) as Error & { code?: string }
  rebuilt.name = error.name
  if (error.code) rebuilt.code = error.code
  if (error.stack) rebuilt.stack = error.stack
  return rebuilt
}
