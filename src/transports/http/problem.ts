/**
 * @module RFC 9457 problem+json for every error: AppErrors from the core, schema failures naming
 * the field, Fastify's own request errors, and anything unexpected as a 500 with the request id.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, appError, errorCodes, isAppError, problemTypeBase, type ErrorCode } from '../../core/errors.js'
import type { Problem as WireProblem } from '../../wire/index.js'

type Problem = WireProblem & { readonly code: ErrorCode }

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
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
}

const depth = (issue: AjvIssue) => issue.instancePath.split('/').length

/**
 * The issue to report. With a union (the message bodies), ajv reports every branch's first failure
 * and then `anyOf`: the one deepest in the data is the branch the client meant (a wrong
 * `payload.text`, not the compact body's "unknown field payload"); ties go to the first branch.
 */
function chosenIssue(issues: readonly AjvIssue[]): AjvIssue {
  if (!issues.some((issue) => issue.keyword === 'anyOf')) return issues[0]!
  const candidates = issues.filter((issue) => issue.keyword !== 'anyOf')
  return candidates.reduce((best, issue) => (depth(issue) > depth(best) ? issue : best), candidates[0] ?? issues[0]!)
}

/** Methods a path may answer, for the `Allow` header of a 405. */
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/** Maps any thrown value to the AppError the client sees. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error
  const fastifyError = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string }
  if (fastifyError.validation && fastifyError.validation.length > 0) {
    const issue = chosenIssue(fastifyError.validation)
    const field = fieldOf(issue)
    const where = fastifyError.validationContext === 'body' ? '' : `${fastifyError.validationContext ?? ''}.`
    return appError('validation_failed', describe(issue, field), { field: `${where}${field}` || 'body' })
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && 'body' in error)) {
    return appError('malformed_json', 'The body is not valid JSON', { field: 'body', cause: error })
  }
  const code = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined
  if (code === 'bad_url' || code === 'uri_too_long') return appError(code, fastifyError.message, { field: 'path', cause: error })
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
    ...(error.retryAfterSeconds === undefined ? {} : { retry_after: error.retryAfterSeconds }),
  }
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
  // Serialised as it is: the route's documented problem schemas describe it, and a problem must
  // never fail to serialise into a 500 of its own.
  return reply.status(error.status).type('application/problem+json').serializer(JSON.stringify).send(problem)
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appErr = toAppError(error)
    if (appErr.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(request, reply, appErr)
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    // A path that exists for other methods is a 405 naming them, not a 404 (RFC 9110 §15.5.6).
    const allowed = methods.filter((method) => method !== request.method && app.findRoute({ method, url: path }))
    if (allowed.length === 0) return sendProblem(request, reply, appError('route_not_found', `No route ${request.method} ${path}`))
    reply.header('allow', allowed.join(', '))
    return sendProblem(request, reply, appError('method_not_allowed', `${path} takes ${allowed.join(', ')}, not ${request.method}`))
  })
}

/** For Fastify's `frameworkErrors`: errors met before routing (a malformed URL) become problems too. */
export function frameworkProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendProblem(request, reply, toAppError(error))
}
