/** @module The user's conversations, latest activity first, with unread counts and last-message previews. */
import { useState } from 'preact/hooks'
import type { Message } from '../api/types.js'
import type { Chat } from '../state/chat.js'
import { nameOf } from '../state/names.js'
import { Avatar, otherMember, titleOf } from './avatar.js'
import { clock } from './format.js'
import { NewConversation } from './new-conversation.js'
import { navigate } from './shell.js'

function preview(message: Message | null, me: string): string {
  if (!message) return 'No messages yet'
  const who = message.sender_id === me ? 'You: ' : ''
  if (message.payload.type === 'file') return `${who}File: ${message.payload.file?.filename ?? 'file'}`
  return `${who}${message.payload.text}`
}

export function ConversationList({ chat }: { chat: Chat }) {
  const [creating, setCreating] = useState(false)
  const me = chat.state.me
  if (!me) return <nav class="sidebar" aria-label="Conversations"><p class="muted">Loading…</p></nav>
  const conversations = chat.sortedConversations()
  return (
    <nav class="sidebar" aria-label="Conversations">
      <header class="sidebar-head">
        <span class="me">
          <Avatar label={me.username} /> <strong>{me.username}</strong>
        </span>
        <button class="secondary" onClick={() => void chat.session.logout()}>Sign out</button>
      </header>
      <button class="new" aria-expanded={creating} onClick={() => setCreating(!creating)}>
        {creating ? 'Close' : '+ New conversation'}
      </button>
      {creating && <NewConversation chat={chat} onDone={() => setCreating(false)} />}
      <ul class="conversations">
        {conversations.length === 0 && <li class="muted">No conversations yet.</li>}
        {conversations.map((c) => {
          const id = c.summary.conversation_id
          const title = titleOf(c, me.user_id)
          const other = c.summary.type === 'private' ? otherMember(c, me.user_id) : undefined
          const online = other !== undefined && chat.state.stream === 'live' && chat.state.presence.get(other)?.status === 'online'
          return (
            <li key={id}>
              <a
                href={`/c/${id}`}
                class={`conversation ${chat.state.openId === id ? 'active' : ''}`}
                aria-current={chat.state.openId === id ? 'page' : undefined}
                data-conversation={id}
                onClick={(e) => {
                  e.preventDefault()
                  navigate(chat, id)
                }}
              >
                <Avatar label={title} {...(other ? { member: other } : {})} />
                {online && <span class="dot" title="online" aria-label="online" />}
                <span class="conversation-text">
                  <span class="conversation-title">
                    {title}
                    {c.summary.type === 'group' && <span class="muted"> · group</span>}
                  </span>
                  <span class="preview">{c.typing.size > 0 ? `${[...c.typing.keys()].map(nameOf).join(', ')} typing…` : preview(c.lastMessage, me.user_id)}</span>
                </span>
                <span class="conversation-meta">
                  {c.lastMessage && <time dateTime={c.lastMessage.created_at}>{clock(c.lastMessage.created_at)}</time>}
                  {c.unread > 0 && (
                    <span class="badge" aria-label={`${c.unread} unread`} data-unread={c.unread}>
                      {c.unread}
                    </span>
                  )}
                </span>
              </a>
            </li>
          )
        })}
      </ul>
    </nav>
  )
}
