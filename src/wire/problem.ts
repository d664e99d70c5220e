/**
 * @module RFC 9457 problem+json: every error the API answers with. `problemsFor` builds the
 * error responses of one operation, grouped by status, each naming the problem types it can carry.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { errorCodes, problemTypeBase, type ErrorCode } from '../core/errors.js'

const problemFields = (codes: readonly ErrorCode[] | undefined) => ({
  type: codes
    ? Type.Union(codes.map((code) => Type.Literal(`${problemTypeBase}${code}`)))
    : Type.String({ format: 'uri', description: `${problemTypeBase}<code>` }),
  title: Type.String(),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  detail: Type.String({ description: 'For people; branch on `code` or `type`, never on this' }),
  code: codes ? Type.Union(codes.map((code) => Type.Literal(code))) : Type.String({ description: 'The stable error code (docs/errors.md)' }),
  field: Type.Optional(Type.String({ description: 'The field, header or parameter at fault, e.g. payload.text or querystring.cursor' })),
  instance: Type.String({ description: 'The request path' }),
  request_id: Type.String({ description: 'Also in the X-Request-Id header; quote it when reporting a problem' }),
  retry_after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'With 429: seconds to wait, as in Retry-After' })),
})

export const Problem = Type.Object(problemFields(undefined), { title: 'Problem' })
export type Problem = Static<typeof Problem>

/** An error response of an operation: problem+json naming the problem types it may carry. */
export interface ProblemResponse {
  readonly description: string
  readonly content: { readonly 'application/problem+json': { readonly schema: TSchema } }
}

/** The problem codes an operation may answer with, beside its success responses. */
export function problemsFor(codes: readonly ErrorCode[]): Record<number, ProblemResponse> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of new Set<ErrorCode>([...codes, 'internal'])) {
    const status = errorCodes[code].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => {
      const description = list.map((code) => `\`${code}\`: ${errorCodes[code].title}`).join('; ')
      return [status, { description, content: { 'application/problem+json': { schema: Type.Object(problemFields(list), { title: 'Problem' }) } } }]
    }),
  )
}

/** `problemsFor` over codes and groups of codes, e.g. `problems(authProblems, 'conversation_not_found')`. */
export function problems(...groups: readonly (ErrorCode | readonly ErrorCode[])[]): Record<number, ProblemResponse> {
  return problemsFor(groups.flat())
}

/** Problems any operation that takes a bearer token may answer with. */
export const authProblems: readonly ErrorCode[] = ['unauthorized', 'invalid_token']
/** Problems of any operation with a JSON body. */
export const bodyProblems: readonly ErrorCode[] = ['validation_failed', 'malformed_json', 'json_too_deep', 'payload_too_large', 'unsupported_media_type']
/** Problems of any operation with path parameters or a query string. */
export const paramProblems: readonly ErrorCode[] = ['validation_failed']
