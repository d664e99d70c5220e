/**
 * @module Exit codes of the client commands (documented in docs/cli.md) and the one line each
 * failure prints: what went wrong, then what to do.
 */
import { Chat4AllError } from '../../client/index.js'

export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  conflict: 5,
  unavailable: 6,
  integrity: 7,
  rateLimited: 8,
  interrupted: 130,
} as const

/** A mistake on the command line (or in its input) found before calling the server. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage
  if (!(error instanceof Chat4AllError)) return ExitCode.error
  if (error.code === 'checksum_mismatch') return ExitCode.integrity
  if (error.code === 'not_logged_in' || error.status === 401 || error.status === 403) return ExitCode.auth
  if (error.code === 'network_error') return ExitCode.unavailable
  if (error.code === 'aborted') return ExitCode.interrupted
  if (error.code === 'local_file') return ExitCode.usage
  if (error.status === 404 || error.status === 410) return ExitCode.notFound
  if (error.status === 409 || error.status === 423) return ExitCode.conflict
  if (error.status === 429) return ExitCode.rateLimited
  if (error.status >= 400 && error.status < 500) return ExitCode.usage
  return ExitCode.error
}

function hintFor(error: Chat4AllError, server: string): string {
  if (error.code === 'not_logged_in') return `log in first: chat4all login --server ${server}`
  if (error.code === 'invalid_credentials') return 'check the username and password'
  if (error.status === 401) return `your login expired or was ended: chat4all login --server ${server}`
  if (error.status === 403) return 'your account may not do this'
  if (error.code === 'network_error') return `is the server running? choose it with --server URL or CHAT4ALL_URL`
  if (error.code === 'checksum_mismatch') return 'run the command again; if it keeps failing the file changed or is corrupted'
  if (error.code === 'aborted') return 'run the same command again to resume'
  if (error.status === 404) return 'check the id, and that you may see it (chat4all conversations lists yours)'
  if (error.status === 410) return 'it expired; start over'
  if (error.status === 429) return `slow down; try again in ${Math.ceil((error.retryAfterMs ?? 1000) / 1000)} s`
  if (error.code === 'username_taken') return 'choose another username, or log in with chat4all login'
  if (error.status >= 500) return 'the server failed; try again, and tell its operator if it persists (request id in --json)'
  return error.field ? `fix ${error.field}` : 'see chat4all <command> --help'
}

/** The one line a failure prints, e.g. `chat4all: Not logged in — log in first: chat4all login …`. */
export function describeFailure(error: unknown, server: string): string {
  if (error instanceof Chat4AllError) {
    const detail = error.detail.replace(/\.$/, '')
    return `chat4all: ${detail} — ${hintFor(error, server)}`
  }
  if (error instanceof UsageError) return `chat4all: ${error.message} — see --help`
  return `chat4all: ${error instanceof Error ? error.message : String(error)}`
}

export function failureJson(error: unknown): Record<string, unknown> {
  if (error instanceof Chat4AllError) {
    return { error: { type: error.type, code: error.code, status: error.status, field: error.field ?? null, detail: error.detail, request_id: error.requestId ?? null } }
  }
  return { error: { code: error instanceof UsageError ? 'usage' : 'error', detail: error instanceof Error ? error.message : String(error) } }
}
