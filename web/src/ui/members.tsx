/** @module A conversation's members: add (owners and admins of groups), remove others (owners and admins), leave. */
import { useState } from 'preact/hooks'
import { ApiError } from '../api/problem.js'
import type { Chat } from '../state/chat.js'
import { nameOf } from '../state/names.js'
import { ChannelMark } from './avatar.js'
import { lastSeen } from './format.js'

export function Members({ chat, id }: { chat: Chat; id: string }) {
  const [who, setWho] = useState('')
  const [error, setError] = useState<string | null>(null)
  const conversation = chat.state.conversations.get(id)
  const me = chat.state.me?.user_id ?? ''
  if (!conversation?.members) return <section class="members muted">Loading members…</section>
  const myRole = conversation.members.get(me)?.role
  const canManage = conversation.summary.type === 'group' && (myRole === 'owner' || myRole === 'admin')

  const act = async (action: () => Promise<void>) => {
    setError(null)
    try {
      await action()
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The server cannot be reached')
    }
  }

  return (
    <section class="members" aria-label="Members">
      <ul>
        {[...conversation.members].map(([member, state]) => {
          const presence = chat.state.presence.get(member)
          return (
            <li key={member}>
              <ChannelMark member={member} /> {member === me ? 'You' : nameOf(member)} <span class="muted">{state.role}</span>{' '}
              {state.kind === 'user' && member !== me && (
                <span class="muted">{presence?.status === 'online' ? '· online' : presence ? `· ${lastSeen(presence.lastSeenAt)}` : ''}</span>
              )}
              {member !== me && canManage && (
                <button class="link" onClick={() => void act(() => chat.removeMember(id, member))}>Remove</button>
              )}
              {member === me && conversation.summary.type === 'group' && (
                <button class="link" onClick={() => void act(() => chat.removeMember(id, member))}>Leave</button>
              )}
            </li>
          )
        })}
      </ul>
      {canManage && (
        <form onSubmit={(e) => { e.preventDefault(); void act(async () => { await chat.addMember(id, who.trim()); setWho('') }) }}>
          <label>
            Add a member
            <input name="add-member" required placeholder="username or whatsapp:+5511…" value={who} onInput={(e) => setWho(e.currentTarget.value)} />
          </label>
          <button type="submit">Add</button>
        </form>
      )}
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
