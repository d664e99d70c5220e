/** @module Type and send (Enter sends, Shift+Enter breaks the line), attach files, and tell the others you are typing. */
import { useRef, useState } from 'preact/hooks'
import type { Chat } from '../state/chat.js'
import { PaperclipIcon } from './icons.js'

const typingEveryMs = 2000

export function Composer({ chat, id, onFiles }: { chat: Chat; id: string; onFiles(files: File[]): void }) {
  const [text, setText] = useState('')
  const lastTyping = useRef(0)
  const picker = useRef<HTMLInputElement>(null)

  const send = () => {
    const value = text.trim()
    if (!value) return
    chat.sendMessage(id, { type: 'text', text: value })
    setText('')
  }

  const onInput = (value: string) => {
    setText(value)
    if (value && Date.now() - lastTyping.current > typingEveryMs) {
      lastTyping.current = Date.now()
      chat.typing(id)
    }
  }

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send() }} aria-label="Send a message">
      <button type="button" class="secondary attach" aria-label="Attach files" onClick={() => picker.current?.click()}><PaperclipIcon /></button>
      <input ref={picker} type="file" multiple hidden aria-label="Choose files to send"
        onChange={(e) => { onFiles([...(e.currentTarget.files ?? [])]); e.currentTarget.value = '' }} />
      <label class="visually-hidden" for="composer-text">Message</label>
      <textarea id="composer-text" name="message" rows={1} placeholder="Write a message" value={text}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            send()
          }
        }} />
      <button type="submit" disabled={!text.trim()}>Send</button>
    </form>
  )
}
