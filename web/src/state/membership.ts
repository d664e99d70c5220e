/**
 * @module Creating conversations and changing their members, learning the names typed on the way:
 * the API has no lookup of a username by id, so each answer that resolves one is kept (names.ts).
 */
import { ApiError } from '../api/problem.js'
import type { Chat } from './chat.js'
import { learnName } from './names.js'

/**
 * A private conversation's other member is the username given; a group is created with its first
 * member and the others added one by one, so each answer says which id a username has. Returns the
 * id and the members that could not be added, with why.
 */
export async function createConversation(
  chat: Chat,
  type: 'private' | 'group',
  members: string[],
  title?: string,
): Promise<{ id: string; refused: string[] }> {
  const [first, ...rest] = members
  if (!first) throw new ApiError(400, 'validation_failed', 'Name at least one member')
  const created = await chat.api.createConversation({ type, members: type === 'private' ? members : [first], ...(title ? { title } : {}) })
  const other = created.members.find((m) => m.member_id !== chat.state.me?.user_id)
  if (other) learnName(other.member_id, first)
  const c = chat.upsertSummary(created, created.members)
  if (!c.lastMessage) c.historyLoaded = true
  const refused: string[] = []
  for (const member of type === 'group' ? rest : []) {
    await addMember(chat, created.conversation_id, member).catch((e: unknown) => {
      refused.push(`${member}: ${e instanceof Error ? e.message : String(e)}`)
    })
  }
  chat.changed()
  return { id: created.conversation_id, refused }
}

export async function addMember(chat: Chat, id: string, member: string): Promise<void> {
  const result = await chat.api.addMembers(id, [member])
  const added = result.added[0]
  if (added) learnName(added.member_id, member)
  chat.upsertSummary(result, result.members)
  chat.changed()
}

/** Removes another member, or leaves when it is you. */
export async function removeMember(chat: Chat, id: string, member: string): Promise<void> {
  await chat.api.removeMember(id, member)
  if (member === chat.state.me?.user_id) {
    chat.state.conversations.delete(id)
    chat.state.openId = null
  } else chat.state.conversations.get(id)?.members?.delete(member)
  chat.changed()
}
