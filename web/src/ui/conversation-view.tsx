/**
 * @module The open conversation: history that loads older pages as you scroll up, live messages,
 * pending sends, typing and presence, members, and files dropped anywhere on it.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { Chat } from '../state/chat.js'
import { nameOf } from '../state/names.js'
import { uploadFile } from '../state/uploads.js'
import { otherMember, titleOf } from './avatar.js'
import { Composer } from './composer.js'
import { lastSeen } from './format.js'
import { Members } from './members.js'
import { MessageItem, Ticks } from './message-item.js'
import { navigate } from './shell.js'
import { UploadsBar } from './uploads-bar.js'

export function ConversationView({ chat, id }: { chat: Chat; id: string }) {
  const list = useRef<HTMLDivElement>(null)
  const [showMembers, setShowMembers] = useState(false)
  const [dragging, setDragging] = useState(false)
  const [loadingOlder, setLoadingOlder] = useState(false)
  const stickToBottom = useRef(true)
  const before = useRef<{ height: number; top: number; count: number } | null>(null)
  const conversation = chat.state.conversations.get(id)
  const me = chat.state.me?.user_id ?? ''
  const seqs = conversation ? [...conversation.messages.keys()].sort((a, b) => a - b) : []
  const pending = chat.state.pending.filter((p) => p.conversation_id === id)

  // Older pages are prepended without moving what you look at; new messages follow you at the bottom.
  useLayoutEffect(() => {
    const el = list.current
    if (!el) return
    if (before.current) {
      // Only once the older page is in (a render for the loading state comes first).
      if (before.current.count === seqs.length) return
      el.scrollTop = before.current.top + (el.scrollHeight - before.current.height)
      before.current = null
    } else if (stickToBottom.current) el.scrollTop = el.scrollHeight
  })
  useEffect(() => {
    stickToBottom.current = true
  }, [id])

  if (!conversation) return <main class="conversation-view"><p class="muted">Loading…</p></main>

  const onScroll = () => {
    const el = list.current
    if (!el) return
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
    if (el.scrollTop < 80 && conversation.hasOlder && !loadingOlder) {
      setLoadingOlder(true)
      before.current = { height: el.scrollHeight, top: el.scrollTop, count: seqs.length }
      void chat.loadOlder(id).finally(() => {
        setLoadingOlder(false)
        // Nothing came (an error, or nothing older after all): do not hold the next render.
        if (conversation.messages.size === seqs.length) before.current = null
      })
    }
    if (stickToBottom.current) chat.markOpenRead()
  }

  const title = titleOf(conversation, me)
  const other = conversation.summary.type === 'private' ? otherMember(conversation, me) : undefined
  // While the stream is down, presence is not known: show none rather than a stale one.
  const presence = other && chat.state.stream === 'live' ? chat.state.presence.get(other) : undefined
  const typers = [...conversation.typing.keys()].map(nameOf)
  const subtitle = typers.length > 0
    ? `${typers.join(', ')} ${typers.length > 1 ? 'are' : 'is'} typing…`
    : other
      ? presence?.status === 'online' ? 'online' : presence ? lastSeen(presence.lastSeenAt) : ''
      : `${conversation.members?.size ?? '…'} members`

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    for (const file of event.dataTransfer?.files ?? []) uploadFile(chat, id, file)
  }

  return (
    <main
      class={`conversation-view ${dragging ? 'dragging' : ''}`}
      aria-label={`Conversation ${title}`}
      onDragOver={(e) => { e.preventDefault(); setDragging(true) }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <header class="conversation-head">
        <button class="back secondary" aria-label="Back to conversations" onClick={() => navigate(chat, null)}>←</button>
        <div class="conversation-heading">
          <h2>{title}</h2>
          <p class={`subtitle ${typers.length > 0 ? 'typing' : ''}`} aria-live="polite" data-presence={presence?.status ?? ''}>
            {subtitle}
          </p>
        </div>
        <button class="secondary" aria-expanded={showMembers} onClick={() => setShowMembers(!showMembers)}>Members</button>
      </header>
      {showMembers && <Members chat={chat} id={id} />}
      <div class="messages" ref={list} onScroll={onScroll} tabIndex={0} aria-label="Messages">
        {conversation.hasOlder && (
          <button class="link older" onClick={onScroll} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        <ol role="log" aria-live="polite" aria-relevant="additions">
          {seqs.map((seq, i) => {
            const message = conversation.messages.get(seq)!
            const previous = i > 0 ? conversation.messages.get(seqs[i - 1]!) : undefined
            return (
              <MessageItem key={message.message_id} chat={chat} conversation={conversation} message={message}
                showSender={conversation.summary.type === 'group' && previous?.sender_id !== message.sender_id} />
            )
          })}
          {pending.map((p) => (
            <li key={p.message_id} class="message mine pending" data-pending={p.message_id}>
              <p class="text">{p.payload.type === 'text' ? p.payload.text : 'File'}</p>
              <span class="meta">
                {p.state === 'failed' ? (
                  <>
                    <span class="error">{p.error ?? 'Not sent'}</span>{' '}
                    <button class="link" onClick={() => chat.retrySend(p.message_id)}>Retry</button>{' '}
                    <button class="link" onClick={() => chat.discardSend(p.message_id)}>Discard</button>
                  </>
                ) : (
                  <Ticks tick="pending" />
                )}
              </span>
            </li>
          ))}
        </ol>
      </div>
      <UploadsBar chat={chat} id={id} />
      <Composer chat={chat} id={id} onFiles={(files) => { for (const f of files) uploadFile(chat, id, f) }} />
    </main>
  )
}
