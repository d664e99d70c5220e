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

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ coerceTypes: false })
  const coercing = createAjv({ coerceTypes: 'array' })
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>
  }
}
