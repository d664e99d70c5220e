/**
 * @module Schema validation at the edge. Bodies are validated strictly (no type coercion, unknown
 * fields refused); query strings and path parameters are coerced from text, as they must be.
 */
import { Ajv, type Options } from 'ajv'
import addFormatsImport from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats ships CommonJS with a default export that NodeNext sees one level down.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, removeAdditional: false, useDefaults: true, ...options })
  addFormats(ajv)
  return ajv
}

/**
 * Refuses, when a route is defined, a schema with a number that has no maximum: JSON Schema counts
 * Infinity (a query string's `1e309`) as a number, even as an integer, so without a bound it would
 * pass validation and fail in the database as a 500.
 */
export function assertBoundedNumbers(schema: unknown, path = '#'): void {
  if (typeof schema !== 'object' || schema === null) return
  const node = schema as Record<string, unknown>
  const types = Array.isArray(node['type']) ? (node['type'] as unknown[]) : [node['type']]
  const numeric = types.includes('integer') || types.includes('number')
  if (numeric && typeof node['maximum'] !== 'number' && typeof node['exclusiveMaximum'] !== 'number') {
    throw new Error(`schema ${path} is a number without a maximum`)
  }
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) value.forEach((item, i) => assertBoundedNumbers(item, `${path}/${key}/${i}`))
    else if (typeof value === 'object') assertBoundedNumbers(value, `${path}/${key}`)
  }
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null }

/** The first property of a (query or params) object whose value is a number but not a finite one. */
function nonFinite(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  for (const [key, value] of Object.entries(data)) {
    const values: unknown[] = Array.isArray(value) ? value : [value]
    if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) return key
  }
  return undefined
}

/**
 * ajv coerces the text `Infinity` (or `1e309`) to a number and then skips `maximum` for it, as it
 * skips bounds for every non-finite number: such a value is refused here, after coercion.
 */
function refuseInfinity(validate: Validate): ReturnType<FastifySchemaCompiler<unknown>> {
  const checked: Validate = (data) => {
    if (!validate(data)) {
      checked.errors = validate.errors ?? null
      return false
    }
    const key = nonFinite(data)
    checked.errors = key === undefined ? null : [{ instancePath: `/${key}`, keyword: 'maximum', message: 'must be a finite number', params: {} }]
    return key === undefined
  }
  return checked as ReturnType<FastifySchemaCompiler<unknown>>
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ coerceTypes: false })
  const coercing = createAjv({ coerceTypes: 'array' })
  return ({ schema, httpPart }) => {
    assertBoundedNumbers(schema)
    if (httpPart === 'body') return strict.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>
    return refuseInfinity(coercing.compile(schema as object))
  }
}
