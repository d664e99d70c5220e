/** @module Signed out: the sign-in form. Signed in: the chat, until the session ends. */
import { useEffect, useState } from 'preact/hooks'
import type { Session } from '../api/session.js'
import { Chat } from '../state/chat.js'
import { Auth } from './auth.js'
import { Shell } from './shell.js'

export function App({ session }: { session: Session }) {
  const [chat, setChat] = useState<Chat | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [failed, setFailed] = useState<string | null>(null)

  const begin = () => {
    const next = new Chat(session)
    setChat(next)
    next.start().catch((error: unknown) => setFailed(error instanceof Error ? error.message : String(error)))
  }

  useEffect(() => {
    if (session.username) begin()
    return session.onEnd((reason) => {
      setChat((current) => {
        current?.stop()
        return null
      })
      setNotice(reason === 'expired' ? 'Your session has ended. Sign in again.' : null)
    })
  }, [session])

  if (!chat) {
    return (
      <Auth
        session={session}
        notice={notice}
        onSignedIn={() => {
          setNotice(null)
          begin()
        }}
      />
    )
  }
  if (failed) {
    return (
      <main class="centered">
        <p role="alert">Could not load your conversations: {failed}</p>
        <button onClick={() => location.reload()}>Try again</button>
      </main>
    )
  }
  return <Shell chat={chat} />
}
