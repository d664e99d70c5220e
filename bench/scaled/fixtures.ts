/**
 * @module The scaled scenarios' fixture: one sender, one recipient and N two-member groups between
 * them. One recipient makes "is everything routed?" a single count (the distinct messages whose
 * `message.created` frame reached that user's live WebSocket, bench/scaled/delivered-watch.ts), and groups (not private conversations, of which a pair has only one) spread the load
 * over N conversations and so over the bus partitions.
 */
import { Api, forEachLimit } from '../api.js'
import { createUsers, type BenchConversation, type BenchUser } from '../fixtures.js'

export interface Fixture {
  readonly sender: BenchUser
  readonly recipient: BenchUser
  /** Groups of the two; only `sender` sends. */
  readonly conversations: readonly BenchConversation[]
}

export async function senderToRecipient(url: string, conversations: number): Promise<Fixture> {
  const api = new Api(url)
  try {
    const [sender, recipient] = (await createUsers(api, 2)) as [BenchUser, BenchUser]
    const created = new Array<BenchConversation>(conversations)
    await forEachLimit(Array.from({ length: conversations }, (_, i) => i), 16, async (i) => {
      const { conversation_id } = await api.expect<{ conversation_id: string }>([201], 'POST', '/v1/conversations', sender.token, {
        type: 'group',
        members: [recipient.userId],
      })
      created[i] = { conversationId: conversation_id, senders: [sender] }
    })
    return { sender, recipient, conversations: created }
  } finally {
    await api.close()
  }
}
