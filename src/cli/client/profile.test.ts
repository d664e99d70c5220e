import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { TokenSession } from '../../client/index.js'
import type { TokenPair } from '../../client/index.js'
import { ProfileStore } from './profile.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function store(): ProfileStore {
  const dir = mkdtempSync(join(tmpdir(), 'chat4all-profile-'))
  dirs.push(dir)
  return new ProfileStore({ XDG_CONFIG_HOME: dir })
}

describe('the profile token store', () => {
  it('lets two sessions sharing a profile (two processes) spend a refresh token once', async () => {
    const profiles = store()
    await profiles.tokens('default').save({ accessToken: 'stale', refreshToken: 'r0', expiresAt: Date.now() + 600_000 })
    const spent: string[] = []
    const exchange = async (refreshToken: string): Promise<TokenPair> => {
      spent.push(refreshToken)
      await new Promise((resolve) => setTimeout(resolve, 100))
      return { access_token: `a${spent.length}`, token_type: 'Bearer', expires_in: 900, refresh_token: `r${spent.length}` }
    }
    // Separate sessions over separate store objects: nothing shared but the files.
    const one = new TokenSession(profiles.tokens('default'), exchange)
    const two = new TokenSession(new ProfileStore({ XDG_CONFIG_HOME: join(profiles.dir, '..') }).tokens('default'), exchange)
    const [a, b] = await Promise.all([one.refreshFrom('stale'), two.refreshFrom('stale')])
    expect(spent).toEqual(['r0'])
    expect(a.accessToken).toBe('a1')
    expect(b.accessToken).toBe('a1')
  })

  it('keeps the files private: 0600 in a 0700 directory', async () => {
    const profiles = store()
    await profiles.tokens('default').save({ accessToken: 'a', refreshToken: 'r', expiresAt: 0 })
    await profiles.saveProfile('default', { server: 'http://x' }, true)
    expect(statSync(profiles.dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(profiles.dir, 'credentials.json')).mode & 0o777).toBe(0o600)
    expect(statSync(join(profiles.dir, 'config.json')).mode & 0o777).toBe(0o600)
  })
})
