/**
 * @module Seeds users and conversations straight into the server's SQLite file through the real
 * store (registering 10,000 users over HTTP would spend minutes in scrypt), and mints their access
 * tokens with the real token service and the secret the server is given.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { createSqliteStore } from '../../src/adapters/store/sqlite.js'
import { hashPassword } from '../../src/core/passwords.js'
import { createTokenService } from '../../src/core/tokens.js'
import type { Store } from '../../src/ports/store.js'

export interface SeedUser {
  readonly id: string
  readonly username: string
  readonly token: string
}

export const jwtSecret = randomBytes(48).toString('base64url')
const tokens = createTokenService({ secret: jwtSecret, accessTtlSeconds: 6 * 3600, refreshTtlSeconds: 3600 })

export class Seeder {
  private constructor(
    private readonly store: Store,
    private readonly passwordHash: string,
  ) {}

  static async open(dbPath: string): Promise<Seeder> {
    return new Seeder(await createSqliteStore({ path: dbPath, synchronous: 'normal' }), await hashPassword('bench-password'))
  }

  async users(count: number, prefix: string): Promise<SeedUser[]> {
    const users: SeedUser[] = []
    for (let i = 0; i < count; i++) {
      const id = randomUUID()
      const username = `${prefix}${i}_${id.slice(0, 6)}`
      await this.store.createUser({ id, username, email: null, displayName: username, passwordHash: this.passwordHash, createdAt: Date.now() })
      // A session of its own per user, in the token epoch a new account starts in.
      users.push({ id, username, token: tokens.issueAccess(id, username, { sessionId: `bench-${id}`, epoch: 0 }).token })
    }
    return users
  }

  async conversation(type: 'private' | 'group', members: readonly SeedUser[]): Promise<string> {
    const id = randomUUID()
    await this.store.createConversation({
      id,
      type,
      title: type === 'group' ? 'bench group' : null,
      metadata: null,
      createdBy: members[0]!.id,
      createdAt: Date.now(),
      members: members.map((m, i) => ({ kind: 'user' as const, id: m.id, role: type === 'group' && i === 0 ? 'owner' : 'member' })),
    })
    return id
  }

  async close(): Promise<void> {
    // The SQLite checkpointer's worker is unref'd, so awaiting its exit in a process with nothing
    // else to do would end the process (exit 13); hold the loop open meanwhile.
    const keepAlive = setInterval(() => {}, 1_000)
    try {
      await this.store.close()
    } finally {
      clearInterval(keepAlive)
    }
  }
}

/** Seeds `<dataDir>/chat4all.db` (the server's default file) before the server starts on it. */
export async function seedDataDir<S>(dataDir: string, seed: (seeder: Seeder) => Promise<S>): Promise<S> {
  const seeder = await Seeder.open(join(dataDir, 'chat4all.db'))
  try {
    return await seed(seeder)
  } finally {
    await seeder.close()
  }
}

/** What a server on a seeded data directory needs: the seeded tokens were signed with this secret. */
export const seededEnv: Readonly<Record<string, string>> = { CHAT4ALL_JWT_SECRET: jwtSecret }
