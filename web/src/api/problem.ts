/** @module One error for every failed API call: the problem+json the platform answers with. */

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly field?: string,
  ) {
    super(detail)
  }
}

/** Network failures (offline, server gone) are not API errors: callers retry them. */
export const isNetworkError = (error: unknown): boolean => error instanceof TypeError

export async function toApiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: string; detail?: string; field?: string }
    return new ApiError(response.status, body.code ?? 'error', body.detail ?? response.statusText, body.field)
  } catch {
    return new ApiError(response.status, 'error', response.statusText)
  }
}
