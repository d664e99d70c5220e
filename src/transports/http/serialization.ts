/**
 * @module Response serialisation from the routes' response schemas (src/wire): fast-json-stringify
 * for successes, each compiled on its route's first answer rather than at start — compiling them all
 * at once would block the event loop for hundreds of milliseconds while workers of the same
 * process already have webhook requests in flight. Problem responses are documented per operation
 * but written with JSON.stringify (problem.ts), so their schemas are never compiled.
 */
import fastJsonStringify from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify'

export const PROBLEM_JSON = 'application/problem+json'

type Serialise = (data: unknown) => string

export function createSerializerCompiler(): FastifySerializerCompiler<unknown> {
  return ({ schema, contentType }) => {
    if (contentType === PROBLEM_JSON) return (data: unknown) => JSON.stringify(data)
    let compiled: Serialise | undefined
    return (data: unknown) => {
      compiled ??= fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]) as Serialise
      return compiled(data)
    }
  }
}
