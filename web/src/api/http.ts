/** @module Authenticated JSON calls to the API: bearer token, one refresh and retry on 401, problems as ApiError. */
import { toApiError } from './problem.js'
import type { Session } from './session.js'

export type Method = 'GET' | 'POST' | 'DELETE'

export interface Http {
  <T>(method: Method, path: string, body?: unknown): Promise<T>
}

export function createHttp(session: Session): Http {
  const call = async (method: Method, path: string, body: unknown, token: string): Promise<Response> =>
    fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  return async <T>(method: Method, path: string, body?: unknown): Promise<T> => {
    let response = await call(method, path, body, await session.accessToken())
    // The token may have been revoked or expired early (clock skew): one fresh token, one retry.
    if (response.status === 401) response = await call(method, path, body, await session.refresh())
    if (!response.ok) throw await toApiError(response)
    return (response.status === 204 ? undefined : await response.json()) as T
  }
}
