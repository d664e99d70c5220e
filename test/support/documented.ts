/**
 * Holds every response the tests receive to the OpenAPI document the server publishes: the status
 * must be documented for the operation, and the body must match the documented schema (problem
 * `type`s included). A mismatch throws, failing the test that made the request.
 * On by default; CHAT4ALL_TEST_CHECK_RESPONSES=0 turns it off.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsImport from 'ajv-formats'

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default

interface Operation {
  readonly responses?: Record<string, { content?: Record<string, { schema?: object }> }>
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>
}
interface Route {
  readonly template: string
  readonly pattern: RegExp
  readonly params: number
  readonly operations: Record<string, Operation>
}

export interface ResponseChecker {
  check(method: string, url: string, status: number, body: unknown): void
}

export const checkingResponses = process.env['CHAT4ALL_TEST_CHECK_RESPONSES'] !== '0'

/** A checker for one document (exported so a test can prove it refuses a wrong response). */
export function responseChecker(document: Document): ResponseChecker {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  const routes: Route[] = Object.entries(document.paths)
    .map(([template, operations]) => ({
      template,
      operations,
      params: (template.match(/\{/g) ?? []).length,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
    }))
    // A literal path wins over a template that would also match (/v1/files/initiate, /v1/files/{id}).
    .sort((a, b) => a.params - b.params)
  const compiled = new Map<string, ValidateFunction>()

  return {
    check(method, url, status, body) {
      const path = new URL(url, 'http://localhost').pathname
      // The all-in-one shape's platform simulators are stand-ins for other APIs, not Chat4All's.
      if (path.startsWith('/_sim/')) return
      const route = routes.find((candidate) => candidate.pattern.test(path))
      const operation = route?.operations[method.toLowerCase()]
      if (!route || !operation) {
        // Answers for what does not exist are the catch-all's, documented in docs/errors.md.
        if (status === 404 || status === 405) return
        throw new Error(`${method} ${path} answered ${status} but is not in the OpenAPI document`)
      }
      const responses = operation.responses ?? {}
      const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses['default']
      if (!documented) {
        throw new Error(
          `${method} ${route.template} answered ${status}, which its OpenAPI operation does not document (documented: ${Object.keys(responses).join(', ')}); body: ${JSON.stringify(body)?.slice(0, 500)}`,
        )
      }
      const schema = Object.values(documented.content ?? {})[0]?.schema
      if (!schema || body === null || body === undefined) return
      const key = `${method} ${route.template} ${status}`
      let validate = compiled.get(key)
      if (!validate) {
        validate = ajv.compile(schema)
        compiled.set(key, validate)
      }
      if (!validate(body)) {
        throw new Error(
          `${method} ${route.template} answered ${status} with a body that does not match its documented schema: ${ajv.errorsText(validate.errors)}\nbody: ${JSON.stringify(body).slice(0, 1000)}`,
        )
      }
    },
  }
}

const checkers = new Map<string, Promise<ResponseChecker | undefined>>()

/** The checker for the server at baseUrl, from its own /openapi.json (none when it has no document). */
export function checkerFor(baseUrl: string): Promise<ResponseChecker | undefined> {
  let checker = checkers.get(baseUrl)
  if (!checker) {
    checker = fetch(`${baseUrl}/openapi.json`)
      .then(async (response) => (response.ok ? responseChecker((await response.json()) as Document) : undefined))
      .catch(() => undefined)
    checkers.set(baseUrl, checker)
  }
  return checker
}

const frameValidators = new Map<string, Promise<((frame: unknown) => string | undefined) | undefined>>()

/**
 * A check of stream frames against the document's `StreamFrame` schema: the reason a frame does not
 * match, or undefined. None when the server publishes no document (or checks are off).
 */
export function frameCheckerFor(baseUrl: string): Promise<((frame: unknown) => string | undefined) | undefined> {
  if (!checkingResponses) return Promise.resolve(undefined)
  const httpUrl = baseUrl.replace(/^ws/, 'http')
  let checker = frameValidators.get(httpUrl)
  if (!checker) {
    checker = fetch(`${httpUrl}/openapi.json`)
      .then(async (response) => {
        if (!response.ok) return undefined
        const document = (await response.json()) as { components?: { schemas?: Record<string, object> } }
        const schemas = document.components?.schemas ?? {}
        if (!schemas['StreamFrame']) return undefined
        const ajv = new Ajv({ strict: false, allErrors: true })
        addFormats(ajv)
        // One schema per frame type (`StreamFrame.<type>`), so a mismatch names the field, not the union.
        const byType = new Map<string, ValidateFunction>()
        for (const [name, schema] of Object.entries(schemas)) {
          if (name.startsWith('StreamFrame.')) byType.set(name.slice('StreamFrame.'.length), ajv.compile(schema))
        }
        return (frame: unknown) => {
          const type = (frame as { type?: unknown }).type
          const validate = typeof type === 'string' ? byType.get(type) : undefined
          if (!validate) return `no frame type ${String(type)} is documented`
          return validate(frame) ? undefined : ajv.errorsText(validate.errors)
        }
      })
      .catch(() => undefined)
    frameValidators.set(httpUrl, checker)
  }
  return checker
}
