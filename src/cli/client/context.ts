/**
 * @module What every client command shares: the common options (--server, --profile, --json),
 * the SDK client built from the chosen profile, printing for people or machines, and the wrapper
 * that turns any failure into one line and an exit code.
 */
import type { Command } from 'commander'
import { Chat4AllClient } from '../../client/index.js'
import { describeFailure, exitCodeOf, failureJson } from './exit-codes.js'
import { DEFAULT_SERVER, ProfileStore, type Profile } from './profile.js'

export interface CommonOptions {
  readonly server?: string
  readonly profile?: string
  readonly json?: boolean
}

export interface Context {
  readonly client: Chat4AllClient
  readonly profiles: ProfileStore
  readonly profileName: string
  readonly profile: Profile | undefined
  readonly server: string
  readonly json: boolean
  /** One JSON document (or an NDJSON line) on stdout. */
  printJson(value: unknown): void
  /** A line for people on stdout. */
  print(line?: string): void
  /** The user's own id when known (set by login). */
  readonly me: string | undefined
  nameOf(userId: string): string
  /** Remembers a user's username (the API has no user lookup), for this run and the next. */
  learnName(userId: string, username: string): Promise<void>
}

/** Adds the options every client command takes, so each one's --help lists them. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--server <url>', `the Chat4All server (default: the profile's, CHAT4ALL_URL, or ${DEFAULT_SERVER})`)
    .option('--profile <name>', 'use this profile (default: CHAT4ALL_PROFILE or the last one logged in)')
    .option('--json', 'print machine-readable JSON instead of text for people')
}

/**
 * `forLogin`: login and register write the profile named by --profile or CHAT4ALL_PROFILE, else
 * `default` — never silently the current one, which may be another user's.
 */
export async function createContext(options: CommonOptions, forLogin = false): Promise<Context> {
  const profiles = new ProfileStore()
  const profileName = forLogin ? (options.profile ?? (process.env['CHAT4ALL_PROFILE'] || undefined) ?? 'default') : await profiles.resolveName(options.profile)
  const profile = await profiles.profile(profileName)
  const server = (options.server ?? (process.env['CHAT4ALL_URL'] || undefined) ?? profile?.server ?? DEFAULT_SERVER).replace(/\/+$/, '')
  const client = new Chat4AllClient({ baseUrl: server, tokens: profiles.tokens(profileName), uploadUrls: profiles.uploadUrls(profileName) })
  const names = await profiles.names(profileName)
  const me = profile?.user_id
  return {
    client,
    profiles,
    profileName,
    profile,
    server,
    json: options.json === true,
    me,
    printJson: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
    print: (line = '') => process.stdout.write(`${line}\n`),
    nameOf: (userId) => (userId === me ? 'you' : (names[userId] ?? userId.slice(0, 8))),
    learnName: async (userId, username) => {
      names[userId] = username
      await profiles.learnName(profileName, userId, username)
    },
  }
}

/** Runs a command's work: any failure becomes one line on stderr (and JSON with --json) and an exit code. */
export function action<A extends unknown[]>(
  work: (ctx: Context, ...args: A) => Promise<void>,
  settings: { forLogin?: boolean } = {},
): (...args: [...A, Command]) => Promise<void> {
  return async (...args) => {
    const command = args.at(-1) as Command
    // Given before the command name (`chat4all --profile bob send …`) or after it.
    const options = command.optsWithGlobals<CommonOptions>()
    let server = options.server ?? (process.env['CHAT4ALL_URL'] || undefined) ?? DEFAULT_SERVER
    try {
      const ctx = await createContext(options, settings.forLogin)
      server = ctx.server
      await work(ctx, ...(args.slice(0, -1) as unknown as A))
    } catch (error) {
      if (options.json) process.stdout.write(`${JSON.stringify(failureJson(error))}\n`)
      process.stderr.write(`${describeFailure(error, server)}\n`)
      process.exitCode = exitCodeOf(error)
    }
  }
}
