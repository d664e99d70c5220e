/**
 * @module RFC 9457 problem+json for every error: AppErrors from the core, schema failures naming
 * the field, Fastify's own request errors, and anything unexpected as a 500 with the request id.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, appError, errorCodes, isAppError, problemTypeBase, type ErrorCode } from '../../core/errors.js'

export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly code: ErrorCode
  readonly field?: string
  readonly instance: string
  readonly request_id: string
}

interface AjvIssue {
  readonly instancePath: string
  readonly keyword: string
  readonly message?: string
  readonly params: Record<string, unknown>
}

/** `body` + `/payload/text` → `payload.text`; the missing or extra property is named itself. */
function fieldOf(issue: AjvIssue): string {
  const path = issue.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '')
  const extra = issue.params['missingProperty'] ?? issue.params['additionalProperty']
  if (typeof extra === 'string') return path ? `${path}.${extra}` : extra
  return path
}

function describe(issue: AjvIssue, field: string): string {
  if (issue.keyword === 'additionalProperties') return `Unknown field '${field}'`
  if (issue.keyword === 'required') return `'${field}' is required`
  return `'${field || 'body'}' ${issue.message ?? 'is invalid'}`
}

const fastifyCodes: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
}

/** Maps any thrown value to the AppError the client sees. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error
  const fastifyError = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string }
  if (fastifyError.validation && fastifyError.validation.length > 0) {
    const issue = fastifyError.validation[0]!
    const field = fieldOf(issue)
    const where = fastifyError.validationContext === 'body' ? '' : `${fastifyError.validationContext ?? ''}.`
    return appError('validation_failed', describe(issue, field), { field: `${where}${field}` || 'body' })
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && 'body' in error)) {
    return appError('malformed_json', 'The body is not valid JSON', { field: 'body', cause: error })
  }
  const code = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined
  if (code) return appError(code, fastifyError.message, { field: 'body', cause: error })
  if (fastifyError.statusCode === 404) return appError('route_not_found', fastifyError.message, { cause: error })
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError('validation_failed', fastifyError.statusCode, fastifyError.message, { cause: error })
  }
  return appError('internal', 'Something went wrong on our side; the request id helps us find it', { cause: error })
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const problem: Problem = {
    type: `${problemTypeBase}${error.code}`,
    title: errorCodes[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.field === undefined ? {} : { field: error.field }),
    instance: request.url,
    request_id: request.id,
  }
  return reply.status(error.status).type('application/problem+json').send(problem)
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appErr = toAppError(error)
    if (appErr.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(request, reply, appErr)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, appError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  )
}
