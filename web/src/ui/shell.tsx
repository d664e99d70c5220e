/**
 * @module The signed-in layout: the conversation list beside the open conversation (one at a time
 * on a phone-sized screen), the connection state, and the address bar kept in step (`/c/<id>`).
 */
import { useEffect } from 'preact/hooks'
import type { Chat } from '../state/chat.js'
import { ConversationList } from './conversation-list.js'
import { ConversationView } from './conversation-view.js'
import { useChat } from './use-chat.js'

function idFromPath(): string | null {
  const match = /^\/c\/([^/]+)$/.exec(location.pathname)
  return match?.[1] ? decodeURIComponent(match[1]) : null
}

export function navigate(chat: Chat, id: string | null): void {
  const path = id ? `/c/${encodeURIComponent(id)}` : '/'
  if (location.pathname !== path) history.pushState(null, '', path)
  void chat.open(id)
}

const streamLabels = {
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  live: '',
  'signed-out': 'Signed out',
} as const

export function Shell({ chat }: { chat: Chat }) {
  useChat(chat)
  useEffect(() => {
    void chat.open(idFromPath())
    const onPop = () => void chat.open(idFromPath())
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [chat])

  const { stream, openId } = chat.state
  return (
    <div class={`shell ${openId ? 'has-open' : ''}`}>
      <div class={`connection connection-${stream}`} role="status" aria-live="polite" data-stream={stream}>
        {streamLabels[stream]}
      </div>
      <ConversationList chat={chat} />
      {openId ? (
        <ConversationView chat={chat} id={openId} />
      ) : (
        <main class="empty">
          <p>Choose a conversation, or start one.</p>
        </main>
      )}
    </div>
  )
}
