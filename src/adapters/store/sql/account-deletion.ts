/**
 * @module Deleting an account on the shared SQL store, in one transaction: whatever would let the
 * account act or be acted for goes (tokens, webhooks, memberships); what other people hold stays
 * (messages in their conversations, files granted to them).
 */
import type { DomainEvent } from '../../../core/model.js'
import type { UserStore } from '../../../ports/store.js'
import type { SqlDriver, SqlExecutor } from './driver.js'
import { columns, toFileRecord } from './files.js'
import { insertOutboxEvent } from './outbox.js'

const ownWebhookDeliveries = `SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.owner_id = $1`

async function deleteWebhooksOf(tx: SqlExecutor, userId: string): Promise<void> {
  // Event bodies are shared between webhooks: drop only those no other owner's webhook still needs.
  await tx.run(
    `DELETE FROM webhook_events WHERE event_id IN (
       SELECT d.event_id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.owner_id = $1)
     AND NOT EXISTS (
       SELECT 1 FROM webhook_deliveries o JOIN webhooks ow ON ow.id = o.webhook_id
       WHERE o.event_id = webhook_events.event_id AND ow.owner_id <> $1)`,
    [userId],
  )
  await tx.run(`DELETE FROM webhook_attempts WHERE delivery_id IN (${ownWebhookDeliveries})`, [userId])
  await tx.run('DELETE FROM webhook_deliveries WHERE webhook_id IN (SELECT id FROM webhooks WHERE owner_id = $1)', [userId])
  await tx.run('DELETE FROM webhooks WHERE owner_id = $1', [userId])
}

async function leaveConversations(tx: SqlExecutor, userId: string, now: number): Promise<boolean> {
  const rows = await tx.query<{ conversation_id: string }>(
    `DELETE FROM members WHERE member_id = $1 AND kind = 'user' RETURNING conversation_id`,
    [userId],
  )
  for (const { conversation_id: conversationId } of rows) {
    await tx.run('UPDATE conversations SET last_activity_at = $2 WHERE id = $1', [conversationId, now])
    const event: DomainEvent = { type: 'member.left', conversationId, memberId: userId, at: now }
    await insertOutboxEvent(tx, `member.left:${conversationId}:${userId}:${now}`, event, now)
  }
  return rows.length > 0
}

export function createSqlAccountDeletion(db: SqlDriver, hooks: { readonly onOutboxWrite: () => void }): Pick<UserStore, 'deleteUser'> {
  return {
    async deleteUser(userId, now) {
      const result = await db.transaction(async (tx) => {
        const [user] = await tx.query('SELECT id FROM users WHERE id = $1', [userId])
        if (!user) return undefined
        // Files no conversation was granted: nobody else can see them, so they leave with the account.
        const orphans = await tx.query(
          `SELECT ${columns} FROM files f WHERE owner_id = $1 AND conversation_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM file_grants g WHERE g.file_id = f.id)`,
          [userId],
        )
        await tx.run('DELETE FROM refresh_tokens WHERE user_id = $1', [userId])
        // Linked external identities go too: the addresses become free for someone else to link.
        await tx.run('DELETE FROM user_identities WHERE user_id = $1', [userId])
        await deleteWebhooksOf(tx, userId)
        const left = await leaveConversations(tx, userId, now)
        await tx.run('DELETE FROM users WHERE id = $1', [userId])
        return { left, orphanFiles: orphans.map(toFileRecord) }
      })
      if (!result) return undefined
      if (result.left) hooks.onOutboxWrite()
      return { orphanFiles: result.orphanFiles }
    },
  }
}
