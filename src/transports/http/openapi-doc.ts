/**
 * @module What a route says about itself in the OpenAPI document besides its schemas: its tag,
 * summary, and whether it takes the bearer token.
 */
export interface RouteDoc {
  readonly tags: readonly string[]
  readonly summary: string
  readonly description?: string
  readonly security?: readonly Record<string, readonly string[]>[]
  readonly hide?: boolean
}

/** A route that takes `Authorization: Bearer <access token>` (the document's default). */
export const doc = (tag: string, summary: string, description?: string): RouteDoc => ({
  tags: [tag],
  summary,
  ...(description ? { description } : {}),
})

/** A route that takes no bearer token. */
export const publicDoc = (tag: string, summary: string, description?: string): RouteDoc => ({ ...doc(tag, summary, description), security: [] })
