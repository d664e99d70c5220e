/** @module Store contract: refresh-token families, reuse detection, token epochs, account deletion. */
import { describe, expect, it } from 'vitest'
import type { FileRecord } from '../../core/model.js'
import type { RefreshRotation, Store } from '../store.js'
import { T0, createGroup, newUser, sharedStore, uid, type StoreFactory } from './harness.js'

const rotated = (userId: string, familyId: string): RefreshRotation => ({ kind: 'rotated', userId, familyId })
const reused = (userId: string, familyId: string): RefreshRotation => ({ kind: 'reused', userId, familyId })
const invalid: RefreshRotation = { kind: 'invalid' }
const next = (hash = uid('next'), expiresAt = T0 + 120_000) => ({ tokenHash: hash, expiresAt })

function readyFile(ownerId: string): FileRecord {
  const id = uid('f')
  return {
    id,
    ownerId,
    filename: 'a.txt',
    sizeBytes: 3,
    contentType: 'text/plain',
    sha256: 'a'.repeat(64),
    storageKey: `files/${id}`,
    state: 'ready',
    conversationId: null,
    createdAt: T0,
    completedAt: T0,
    upload: null,
  }
}

export function sessionContract(make: StoreFactory): void {
  describe('sessions', () => {
    const store = sharedStore(make)
    const withUser = async (s: Store = store()) => {
      const user = newUser()
      await s.createUser(user)
      return user
    }
    const login = async (userId: string, expiresAt = T0 + 60_000) => {
      const tokenHash = uid('t')
      const familyId = uid('fam')
      await store().saveRefreshToken({ tokenHash, userId, familyId, expiresAt })
      return { tokenHash, familyId }
    }

    it('rotates a token within its family: the successor works once, the old one is used up', async () => {
      const user = await withUser()
      const { tokenHash: t1, familyId } = await login(user.id)
      const [t2, t3] = [uid('t2'), uid('t3')]
      expect(await store().rotateRefreshToken(t1, next(t2), T0)).toEqual(rotated(user.id, familyId))
      expect(await store().rotateRefreshToken(t2, next(t3), T0 + 1)).toEqual(rotated(user.id, familyId))
      expect(await store().rotateRefreshToken(t3, next(), T0 + 2)).toEqual(rotated(user.id, familyId))
    })

    it('revokes the whole family, successor included, when a used token comes back', async () => {
      const user = await withUser()
      const { tokenHash: t1, familyId } = await login(user.id)
      const other = await login(user.id)
      const t2 = uid('t2')
      expect(await store().rotateRefreshToken(t1, next(t2), T0)).toEqual(rotated(user.id, familyId))
      expect(await store().rotateRefreshToken(t1, next(), T0 + 1)).toEqual(reused(user.id, familyId))
      expect(await store().rotateRefreshToken(t2, next(), T0 + 2), 'the successor is revoked too').toEqual(invalid)
      expect(await store().rotateRefreshToken(t1, next(), T0 + 3), 'a revoked family is simply gone').toEqual(invalid)
      const sibling = await store().rotateRefreshToken(other.tokenHash, next(), T0 + 4)
      expect(sibling, 'another session of the user is untouched').toEqual(rotated(user.id, other.familyId))
    })

    it('refuses an expired or unknown token and stores no successor', async () => {
      const user = await withUser()
      const { tokenHash: old } = await login(user.id, T0)
      const successor = uid('next')
      expect(await store().rotateRefreshToken(old, next(successor), T0)).toEqual(invalid)
      expect(await store().rotateRefreshToken(successor, next(), T0)).toEqual(invalid)
      expect(await store().rotateRefreshToken(uid('unknown'), next(successor), T0)).toEqual(invalid)
      expect(await store().rotateRefreshToken(successor, next(), T0)).toEqual(invalid)
    })

    it('lets exactly one of several concurrent rotations win; the others are replays that revoke the family', async () => {
      const user = await withUser()
      const { tokenHash: old, familyId } = await login(user.id)
      const successors = Array.from({ length: 6 }, () => uid('next'))
      const results = await Promise.all(successors.map((s) => store().rotateRefreshToken(old, next(s), T0)))
      expect(results.filter((r) => r.kind === 'rotated')).toEqual([rotated(user.id, familyId)])
      // The first replay revokes the family; later ones find it gone.
      expect(results.filter((r) => r.kind === 'reused').length).toBeGreaterThanOrEqual(1)
      expect(results.filter((r) => r.kind !== 'rotated').every((r) => r.kind === 'reused' || r.kind === 'invalid')).toBe(true)
      for (const successor of successors) expect(await store().rotateRefreshToken(successor, next(), T0)).toEqual(invalid)
    })

    it('revokes one family on logout, only for its owner, and finds a token’s family', async () => {
      const [user, stranger] = [await withUser(), await withUser()]
      const session = await login(user.id)
      const kept = await login(user.id)
      expect(await store().findRefreshFamily(user.id, session.tokenHash)).toBe(session.familyId)
      expect(await store().findRefreshFamily(stranger.id, session.tokenHash)).toBeUndefined()
      expect(await store().revokeRefreshFamily(stranger.id, session.familyId)).toBe(false)
      expect(await store().revokeRefreshFamily(user.id, session.familyId)).toBe(true)
      expect(await store().rotateRefreshToken(session.tokenHash, next(), T0)).toEqual(invalid)
      expect(await store().rotateRefreshToken(kept.tokenHash, next(), T0)).toEqual(rotated(user.id, kept.familyId))
    })

    it('moves the token epoch on and drops every refresh token when all sessions are revoked', async () => {
      const user = await withUser()
      const sessions = [await login(user.id), await login(user.id)]
      expect(await store().getTokenEpoch(user.id)).toBe(0)
      expect(await store().revokeAllSessions(user.id)).toBe(1)
      expect(await store().getTokenEpoch(user.id)).toBe(1)
      for (const s of sessions) expect(await store().rotateRefreshToken(s.tokenHash, next(), T0)).toEqual(invalid)
      expect(await store().revokeAllSessions(uid('nobody'))).toBeUndefined()
      expect(await store().getTokenEpoch(uid('nobody'))).toBeUndefined()
    })

    it('deletes an account: tokens, webhooks, memberships and linked identities go, granted files stay, private files are handed back', async () => {
      const [user, friend] = [await withUser(), await withUser()]
      const session = await login(user.id)
      const address = `whatsapp:+55119${String(Date.now()).slice(-8)}`
      expect(await store().linkIdentity({ userId: user.id, address, platform: 'whatsapp', createdAt: T0 })).toBe('linked')
      const group = await createGroup(store(), [friend.id, user.id])
      await store().createWebhook({ id: uid('wh'), ownerId: user.id, url: 'https://example.test/h', events: ['message.created'], secret: 's', createdAt: T0 })
      const [shared, mine] = [readyFile(user.id), readyFile(user.id)]
      await store().createFile(shared)
      await store().createFile(mine)
      await store().grantFileAccess(shared.id, group.id, T0)

      const deleted = await store().deleteUser(user.id, T0 + 10)
      expect(deleted?.orphanFiles.map((f) => f.id)).toEqual([mine.id])
      expect(await store().getUser(user.id)).toBeUndefined()
      expect(await store().getTokenEpoch(user.id)).toBeUndefined()
      expect(await store().rotateRefreshToken(session.tokenHash, next(), T0)).toEqual(invalid)
      expect(await store().listWebhooks(user.id)).toEqual([])
      expect(await store().getMember(group.id, user.id)).toBeUndefined()
      expect(await store().getMember(group.id, friend.id), 'the others stay').toBeDefined()
      expect(await store().canAccessFile(shared.id, friend.id), 'a file granted to a conversation stays').toBe(true)
      expect(await store().listIdentities(user.id)).toEqual([])
      expect(await store().linkIdentity({ userId: friend.id, address, platform: 'whatsapp', createdAt: T0 }), 'the address is free again').toBe('linked')
      expect(await store().deleteUser(user.id, T0 + 20)).toBeUndefined()
    })
  })
}
