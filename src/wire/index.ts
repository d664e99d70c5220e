/**
 * @module The one wire schema of the public API: every request, response, problem, stream frame and
 * webhook payload, as TypeBox schemas (JSON Schema at run time) and their TypeScript types.
 * HTTP routes validate and serialise with these, the stream and webhooks present with them, the
 * OpenAPI document is generated from them, and clients may import the types.
 */
export * from './common.js'
export * from './requests.js'
export * from './resources.js'
export * from './problem.js'
export * from './events.js'
export * from './frames.js'
export * from './webhooks.js'
export * from './present.js'
