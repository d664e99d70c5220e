/** @module Store contract: accounts (refresh tokens and sessions: sessions.ts). */
import { describe, expect, it } from 'vitest'
import type { NewUser } from '../../core/model.js'
import { errorCode, newUser, sharedStore, uid, type StoreFactory } from './harness.js'

/** A user as the store gives it back; who is admin is the admins contract's business. */
const stored = (user: NewUser) => ({ ...user, isAdmin: expect.any(Boolean) })

export function userContract(make: StoreFactory): void {
  describe('users', () => {
    const store = sharedStore(make)

    it('creates a user and finds it by id and by username, ignoring case', async () => {
      const user = newUser({ username: uid('MixedCase').slice(0, 24), email: null })
      expect(await store().createUser(user)).toEqual(stored(user))
      expect(await store().getUser(user.id)).toEqual(stored(user))
      expect(await store().findUserByUsername(user.username.toUpperCase())).toEqual(stored(user))
      expect(await store().findUserByUsername(user.username.toLowerCase())).toEqual(stored(user))
      expect(await store().getUser(uid('nobody'))).toBeUndefined()
      expect(await store().findUserByUsername(uid('nobody'))).toBeUndefined()
    })

    it('keeps the username and email as they were given', async () => {
      const user = newUser({ username: uid('Ana').slice(0, 20), email: `${uid('Ana')}@Example.TEST` })
      await store().createUser(user)
      const found = await store().getUser(user.id)
      expect(found?.username).toBe(user.username)
      expect(found?.email).toBe(user.email)
    })

    it('refuses a taken username, whatever its case, and writes nothing', async () => {
      const first = newUser()
      await store().createUser(first)
      const second = newUser({ username: first.username.toUpperCase() })
      expect(await errorCode(store().createUser(second))).toBe('username_taken')
      expect(await store().getUser(second.id)).toBeUndefined()
      expect(await store().findUserByUsername(first.username)).toEqual(stored(first))
    })

    it('refuses a registered email, whatever its case, and writes nothing', async () => {
      const first = newUser()
      await store().createUser(first)
      const second = newUser({ email: first.email!.toUpperCase() })
      expect(await errorCode(store().createUser(second))).toBe('email_taken')
      expect(await store().getUser(second.id)).toBeUndefined()
      expect(await store().findUserByUsername(second.username)).toBeUndefined()
    })

    it('lets any number of users go without an email', async () => {
      const a = newUser({ email: null })
      const b = newUser({ email: null })
      await store().createUser(a)
      await store().createUser(b)
      expect((await store().getUser(b.id))?.email).toBeNull()
    })

    it('registers a username once when the same name races in', async () => {
      const username = uid('race').slice(0, 20)
      const attempts = Array.from({ length: 8 }, (_, i) =>
        newUser({ username: i % 2 ? username.toUpperCase() : username }),
      )
      const outcomes = await Promise.allSettled(attempts.map((u) => store().createUser(u)))
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
      for (const o of outcomes) {
        if (o.status === 'rejected') expect((o.reason as { code?: string }).code).toBe('username_taken')
      }
      const winner = await store().findUserByUsername(username)
      expect(winner && attempts.some((a) => a.id === winner.id)).toBe(true)
    })

    it('registers an email once when the same address races in under different names', async () => {
      const email = `${uid('race')}@example.test`
      const attempts = Array.from({ length: 8 }, () => newUser({ email }))
      const outcomes = await Promise.allSettled(attempts.map((u) => store().createUser(u)))
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
      for (const o of outcomes) {
        if (o.status === 'rejected') expect((o.reason as { code?: string }).code).toBe('email_taken')
      }
    })
  })
}
