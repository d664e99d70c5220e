/** @module Start a private conversation (a username or a channel address) or a group (a title and members). */
import { useState } from 'preact/hooks'
import { ApiError } from '../api/problem.js'
import type { Chat } from '../state/chat.js'
import { navigate } from './shell.js'

export function NewConversation({ chat, onDone }: { chat: Chat; onDone(): void }) {
  const [type, setType] = useState<'private' | 'group'>('private')
  const [who, setWho] = useState('')
  const [title, setTitle] = useState('')
  const [error, setError] = useState<string | null>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    setError(null)
    const members = who.split(/[\s,]+/).map((m) => m.trim()).filter(Boolean)
    try {
      const { id, refused } = await chat.createConversation(type, members, type === 'group' ? title.trim() : undefined)
      navigate(chat, id)
      if (refused.length > 0) setError(`Not added: ${refused.join('; ')}`)
      else onDone()
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The server cannot be reached')
    }
  }

  return (
    <form class="new-conversation" onSubmit={(e) => void submit(e)} aria-label="New conversation">
      <fieldset>
        <legend>Kind</legend>
        <label class="inline">
          <input type="radio" name="kind" checked={type === 'private'} onChange={() => setType('private')} /> Private
        </label>
        <label class="inline">
          <input type="radio" name="kind" checked={type === 'group'} onChange={() => setType('group')} /> Group
        </label>
      </fieldset>
      {type === 'group' && (
        <label>
          Title
          <input name="title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
      )}
      <label>
        {type === 'private' ? 'Username or address' : 'Members (usernames or addresses, comma-separated)'}
        <input name="members" required placeholder={type === 'private' ? 'bob or whatsapp:+5511…' : 'bob, carol, telegram:123'}
          value={who} onInput={(e) => setWho(e.currentTarget.value)} />
      </label>
      {error && <p role="alert" class="error">{error}</p>}
      <button type="submit">{type === 'private' ? 'Start' : 'Create group'}</button>
    </form>
  )
}
