/** @module Re-renders a component whenever the chat state changes. */
import { useEffect, useState } from 'preact/hooks'
import type { Chat } from '../state/chat.js'

export function useChat(chat: Chat): void {
  const [, setVersion] = useState(0)
  useEffect(() => chat.subscribe(() => setVersion((n) => n + 1)), [chat])
}
