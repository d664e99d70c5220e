/**
 * @module The CLI's configuration directory ($XDG_CONFIG_HOME/chat4all, else ~/.config/chat4all):
 * profiles (server and user per name), their tokens, the URLs of interrupted uploads and the
 * usernames learned so far. Every file is written 0600 in a 0700 directory, atomically (a temporary
 * file renamed), and tokens are refreshed under a lock file so concurrent commands sharing a
 * profile never spend the same refresh token twice.
 */
import { promises as fs } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { StoredTokens, TokenStore, UploadUrlStore } from '../../client/index.js'

export interface Profile {
  readonly server: string
  readonly username?: string
  readonly user_id?: string
}

interface ConfigFile {
  current?: string
  profiles: Record<string, Profile>
}

export const DEFAULT_SERVER = 'http://localhost:8080'

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || join(homedir(), '.config')
  return join(base, 'chat4all')
}

async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback
    throw new Error(`${path} is not valid JSON; fix or delete it`, { cause: error })
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const dir = join(path, '..')
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  const temporary = `${path}.${process.pid}.tmp`
  await fs.writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 })
  await fs.chmod(temporary, 0o600)
  await fs.rename(temporary, path)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `work` holding `<path>.lock`; a lock older than 30 s is left by a dead process and taken over. */
async function withLockFile<T>(path: string, work: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`
  await fs.mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  for (let waited = 0; ; waited += 50) {
    try {
      await (await fs.open(lock, 'wx', 0o600)).close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const age = Date.now() - ((await fs.stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now())
      if (age > 30_000) await fs.rm(lock, { force: true })
      else await sleep(50)
    }
  }
  try {
    return await work()
  } finally {
    await fs.rm(lock, { force: true })
  }
}

/** The profile chosen by --profile, CHAT4ALL_PROFILE, the last login, or `default`. */
export class ProfileStore {
  readonly dir: string

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.dir = configDir(env)
  }

  private get configPath() {
    return join(this.dir, 'config.json')
  }

  private get credentialsPath() {
    return join(this.dir, 'credentials.json')
  }

  async config(): Promise<ConfigFile> {
    return readJson<ConfigFile>(this.configPath, { profiles: {} })
  }

  async resolveName(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
    return flag ?? (env['CHAT4ALL_PROFILE'] || undefined) ?? (await this.config()).current ?? 'default'
  }

  async profile(name: string): Promise<Profile | undefined> {
    return (await this.config()).profiles[name]
  }

  async saveProfile(name: string, profile: Profile, makeCurrent: boolean): Promise<void> {
    const config = await this.config()
    config.profiles[name] = profile
    if (makeCurrent) config.current = name
    await writeJson(this.configPath, config)
  }

  async removeProfile(name: string): Promise<void> {
    const config = await this.config()
    delete config.profiles[name]
    if (config.current === name) delete config.current
    await writeJson(this.configPath, config)
  }

  /** The tokens of one profile, in credentials.json (0600). */
  tokens(name: string): TokenStore {
    const path = this.credentialsPath
    return {
      load: async () => (await readJson<Record<string, StoredTokens>>(path, {}))[name],
      save: async (tokens) => {
        const all = await readJson<Record<string, StoredTokens>>(path, {})
        if (tokens) all[name] = tokens
        else delete all[name]
        await writeJson(path, all)
      },
      exclusive: (work) => withLockFile(path, work),
    }
  }

  /** Interrupted uploads' URLs, keyed by path, size and modification time. */
  uploadUrls(name: string): UploadUrlStore {
    const path = join(this.dir, 'uploads.json')
    const update = (change: (all: Record<string, Record<string, string>>) => void) =>
      withLockFile(path, async () => {
        const all = await readJson<Record<string, Record<string, string>>>(path, {})
        change(all)
        await writeJson(path, all)
      })
    return {
      get: async (key) => (await readJson<Record<string, Record<string, string>>>(path, {}))[name]?.[key],
      set: (key, url) => update((all) => void ((all[name] ??= {})[key] = url)),
      delete: (key) => update((all) => void delete all[name]?.[key]),
    }
  }

  /** user id → username, learned from logins and private conversations (the API has no user lookup). */
  async names(name: string): Promise<Record<string, string>> {
    return (await readJson<Record<string, Record<string, string>>>(join(this.dir, 'names.json'), {}))[name] ?? {}
  }

  async learnName(name: string, userId: string, username: string): Promise<void> {
    const path = join(this.dir, 'names.json')
    await withLockFile(path, async () => {
      const all = await readJson<Record<string, Record<string, string>>>(path, {})
      if (all[name]?.[userId] === username) return
      ;(all[name] ??= {})[userId] = username
      await writeJson(path, all)
    })
  }
}
