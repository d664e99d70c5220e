/**
 * @module The routes the server serves, as the server itself registered them: what a generated test
 * (test/e2e/api-fuzz.test.ts) walks, so a new route is covered without editing a list.
 */
import type { FastifyInstance, FastifySchema } from 'fastify'

export interface RouteEntry {
  readonly method: string
  readonly url: string
  readonly schema: FastifySchema | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly routeTable: readonly RouteEntry[]
  }
}

/** Records every route registered from now on (call before registering any). */
export function recordRoutes(app: FastifyInstance): void {
  const routes: RouteEntry[] = []
  app.decorate('routeTable', routes)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema })
  })
}
