/** @module Store contract: the admin role — the first account gets it, once, and it can be granted and revoked. */
import { describe, expect, it } from 'vitest'
import { freshStore, newUser, uid, type StoreFactory } from './harness.js'

export function adminContract(make: StoreFactory): void {
  describe('admins', () => {
    // Who registered first is global to a store: every test starts from an empty one.
    const store = freshStore(make)

    it('makes the first account an admin, and no later one', async () => {
      const first = await store().createUser(newUser())
      const second = await store().createUser(newUser())
      expect(first.isAdmin).toBe(true)
      expect(second.isAdmin).toBe(false)
      expect((await store().getUser(first.id))?.isAdmin).toBe(true)
      expect((await store().findUserByUsername(second.username))?.isAdmin).toBe(false)
    })

    it('makes exactly one admin when first registrations race', async () => {
      const users = await Promise.all(Array.from({ length: 8 }, () => store().createUser(newUser())))
      expect(users.filter((u) => u.isAdmin)).toHaveLength(1)
    })

    it('leaves the role to the next account when the first registration fails', async () => {
      // A row the database refuses (no password hash): the registration fails after its claim was made.
      const broken = newUser({ passwordHash: null as unknown as string })
      await expect(store().createUser(broken)).rejects.toThrow()
      expect(await store().getUser(broken.id)).toBeUndefined()
      expect((await store().createUser(newUser())).isAdmin).toBe(true)
    })

    it('grants and revokes the role by username (any case) or by id', async () => {
      await store().createUser(newUser()) // the first, admin by registration
      const bob = await store().createUser(newUser())
      expect(await store().setAdmin({ username: bob.username.toUpperCase() }, true)).toEqual({ ...bob, isAdmin: true })
      expect((await store().getUser(bob.id))?.isAdmin).toBe(true)
      expect((await store().setAdmin({ id: bob.id }, false))?.isAdmin).toBe(false)
      expect((await store().findUserByUsername(bob.username))?.isAdmin).toBe(false)
      expect(await store().setAdmin({ username: uid('nobody').slice(0, 20) }, true)).toBeUndefined()
      expect(await store().setAdmin({ id: uid('nobody') }, true)).toBeUndefined()
    })

    it('does not read a username as an id', async () => {
      await store().createUser(newUser())
      const victim = await store().createUser(newUser())
      // A username that spells another account's id names the account with that username only.
      const lookalike = await store().createUser(newUser({ username: victim.id.slice(0, 50) }))
      expect((await store().setAdmin({ username: victim.id }, true))?.id).toBe(lookalike.id)
      expect((await store().getUser(victim.id))?.isAdmin).toBe(false)
    })
  })
}
