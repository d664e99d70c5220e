/** @module The one error the SDK throws: a problem+json from the API, or a client-side failure shaped like one. */
import type { Problem } from './types.js'

const problemTypeBase = 'https://chat4all.dev/problems/'

/** Codes the client itself raises (the API's own codes are in docs/errors.md). */
export type ClientErrorCode =
  | 'network_error'
  | 'not_logged_in'
  | 'checksum_mismatch'
  | 'stream_closed'
  | 'aborted'
  | 'bad_response'
  | 'local_file'

/**
 * Every failure of an SDK call. `status` is the HTTP status (0 when no answer came), `type` and
 * `code` the problem's, `field` the input at fault, `detail` the explanation.
 */
export class Chat4AllError extends Error {
  override readonly name = 'Chat4AllError'
  readonly type: string
  readonly code: string
  readonly status: number
  readonly field: string | undefined
  readonly detail: string
  readonly requestId: string | undefined
  /** From `Retry-After` on 429 and 503, in milliseconds. */
  readonly retryAfterMs: number | undefined

  constructor(
    problem: { code: string; status: number; detail: string; type?: string; field?: string | undefined; requestId?: string | undefined },
    options: { cause?: unknown; retryAfterMs?: number | undefined } = {},
  ) {
    super(problem.detail, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = problem.code
    this.type = problem.type ?? `${problemTypeBase}${problem.code}`
    this.status = problem.status
    this.field = problem.field
    this.detail = problem.detail
    this.requestId = problem.requestId
    this.retryAfterMs = options.retryAfterMs
  }

  /** From a problem+json body (or whatever a non-2xx answer carried). */
  static fromResponse(status: number, body: unknown, retryAfterMs?: number): Chat4AllError {
    const problem = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>
    return new Chat4AllError(
      {
        code: typeof problem.code === 'string' ? problem.code : `http_${status}`,
        status,
        detail: problem.detail ?? problem.title ?? `The server answered ${status}`,
        ...(typeof problem.type === 'string' ? { type: problem.type } : {}),
        field: problem.field,
        requestId: problem.request_id,
      },
      { retryAfterMs },
    )
  }

  static client(code: ClientErrorCode, detail: string, cause?: unknown, field?: string): Chat4AllError {
    return new Chat4AllError({ code, status: 0, detail, field }, { cause })
  }

  /** True for failures worth trying again unchanged: no answer, 5xx, 429, 423 (upload busy). */
  get isRetryable(): boolean {
    return this.code === 'network_error' || this.status >= 500 || this.status === 429 || this.status === 423
  }
}
