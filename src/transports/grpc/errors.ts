/**
 * @module Errors over gRPC: one table from the error catalog to gRPC status codes, and the details a
 * client gets with the status — the same problem `type`, `code` and `field` as the REST problem+json,
 * both as plain trailing metadata (`problem-type`, `problem-code`, `problem-field`, readable with any
 * client, grpcurl included) and as a standard `google.rpc.Status` in `grpc-status-details-bin`
 * carrying an ErrorInfo, plus a BadRequest naming the field for INVALID_ARGUMENT and a RetryInfo when
 * the client should wait (what gRPC's "richer error model" clients decode).
 */
import { join } from 'node:path'
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js'
import protobuf from 'protobufjs'
import { appError, errorCodes, isAppError, problemTypeBase, type AppError, type ErrorCode } from '../../core/errors.js'
import { protoRoot } from './proto.js'

/** By HTTP status; the codes below refine it where one status holds different kinds of failure. */
const byHttpStatus: Readonly<Record<number, Status>> = {
  400: Status.INVALID_ARGUMENT,
  401: Status.UNAUTHENTICATED,
  403: Status.PERMISSION_DENIED,
  404: Status.NOT_FOUND,
  405: Status.UNIMPLEMENTED,
  408: Status.DEADLINE_EXCEEDED,
  409: Status.FAILED_PRECONDITION,
  410: Status.NOT_FOUND,
  411: Status.INVALID_ARGUMENT,
  412: Status.FAILED_PRECONDITION,
  413: Status.INVALID_ARGUMENT,
  414: Status.INVALID_ARGUMENT,
  415: Status.INVALID_ARGUMENT,
  416: Status.OUT_OF_RANGE,
  422: Status.INVALID_ARGUMENT,
  423: Status.ABORTED,
  426: Status.FAILED_PRECONDITION,
  429: Status.RESOURCE_EXHAUSTED,
  431: Status.INVALID_ARGUMENT,
  460: Status.INVALID_ARGUMENT,
  500: Status.INTERNAL,
  503: Status.UNAVAILABLE,
}

const byCode: Partial<Readonly<Record<ErrorCode, Status>>> = {
  // 409s that say "it exists already" rather than "not in the state you need".
  username_taken: Status.ALREADY_EXISTS,
  email_taken: Status.ALREADY_EXISTS,
  identity_taken: Status.ALREADY_EXISTS,
  idempotency_conflict: Status.ALREADY_EXISTS,
  // A 400 about a file the caller cannot see is, for gRPC clients, a missing thing.
  file_not_found: Status.NOT_FOUND,
  unknown_member: Status.NOT_FOUND,
  // The upload ran out of time: it can never complete.
  upload_expired: Status.FAILED_PRECONDITION,
}

/** The gRPC status code of an error code: the one table, documented in docs/grpc.md. */
export function grpcStatusOf(code: ErrorCode): Status {
  return byCode[code] ?? byHttpStatus[errorCodes[code].status] ?? (errorCodes[code].status >= 500 ? Status.INTERNAL : Status.INVALID_ARGUMENT)
}

const DOMAIN = 'chat4all.dev'

const detailTypes = (() => {
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(protoRoot, target))
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true })
  return {
    status: root.lookupType('google.rpc.Status'),
    errorInfo: root.lookupType('google.rpc.ErrorInfo'),
    badRequest: root.lookupType('google.rpc.BadRequest'),
    retryInfo: root.lookupType('google.rpc.RetryInfo'),
  }
})()

function any(type: protobuf.Type, value: Record<string, unknown>) {
  return { type_url: `type.googleapis.com/${type.fullName.replace(/^\./, '')}`, value: type.encode(type.fromObject(value)).finish() }
}

/** google.rpc.Status, encoded, for the `grpc-status-details-bin` trailer. */
function statusDetails(code: Status, error: AppError): Buffer {
  const details = [
    any(detailTypes.errorInfo, {
      reason: error.code,
      domain: DOMAIN,
      metadata: { type: `${problemTypeBase}${error.code}`, ...(error.field === undefined ? {} : { field: error.field }) },
    }),
  ]
  if (code === Status.INVALID_ARGUMENT && error.field !== undefined) {
    details.push(any(detailTypes.badRequest, { field_violations: [{ field: error.field, description: error.message }] }))
  }
  if (error.retryAfterSeconds !== undefined) {
    details.push(any(detailTypes.retryInfo, { retry_delay: { seconds: error.retryAfterSeconds, nanos: 0 } }))
  }
  const message = detailTypes.status.fromObject({ code, message: error.message, details })
  return Buffer.from(detailTypes.status.encode(message).finish())
}

/** What a handler passes to gRPC for any thrown value; unexpected ones are `internal`, like a REST 500. */
export function toServiceError(thrown: unknown): ServiceError & { readonly appError: AppError } {
  const error = isAppError(thrown)
    ? thrown
    : appError('internal', 'Something went wrong on our side', { cause: thrown })
  const code = grpcStatusOf(error.code)
  const metadata = new Metadata()
  metadata.set('problem-type', `${problemTypeBase}${error.code}`)
  metadata.set('problem-code', error.code)
  metadata.set('problem-title', errorCodes[error.code].title)
  if (error.field !== undefined) metadata.set('problem-field', error.field)
  if (error.retryAfterSeconds !== undefined) metadata.set('retry-after', String(error.retryAfterSeconds))
  metadata.set('grpc-status-details-bin', statusDetails(code, error))
  return Object.assign(new Error(error.message), { code, details: error.message, metadata, appError: error })
}

/** Decodes `grpc-status-details-bin` (for tests and clients written in TypeScript). */
export function decodeStatusDetails(bytes: Buffer): { code: number; message: string; details: { type: string; value: Record<string, unknown> }[] } {
  const status = detailTypes.status.toObject(detailTypes.status.decode(bytes), { longs: Number }) as {
    code: number
    message: string
    details?: { type_url: string; value: Uint8Array }[]
  }
  const types = [detailTypes.errorInfo, detailTypes.badRequest, detailTypes.retryInfo]
  return {
    code: status.code,
    message: status.message,
    details: (status.details ?? []).map((detail) => {
      const type = types.find((candidate) => detail.type_url.endsWith(`/${candidate.fullName.replace(/^\./, '')}`))
      const value = type ? (type.toObject(type.decode(detail.value), { longs: Number }) as Record<string, unknown>) : {}
      return { type: detail.type_url, value }
    }),
  }
}
