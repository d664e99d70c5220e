/** @module Sign in or create an account. */
import { useState } from 'preact/hooks'
import { register } from '../api/endpoints.js'
import { ApiError } from '../api/problem.js'
import type { Session } from '../api/session.js'

interface Props {
  readonly session: Session
  readonly notice: string | null
  onSignedIn(): void
}

export function Auth({ session, notice, onSignedIn }: Props) {
  const [mode, setMode] = useState<'login' | 'register'>('login')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      if (mode === 'register') await register(username, password)
      await session.login(username, password)
      onSignedIn()
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The server cannot be reached')
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="centered auth">
      <h1>Chat4All</h1>
      {notice && <p role="status" class="notice">{notice}</p>}
      <form onSubmit={(e) => void submit(e)} aria-label={mode === 'login' ? 'Sign in' : 'Create an account'}>
        <label>
          Username
          <input name="username" autoComplete="username" required minLength={3} maxLength={50} pattern="[A-Za-z0-9_.\-]+"
            value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" required minLength={8}
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" disabled={busy}>{mode === 'login' ? 'Sign in' : 'Create account'}</button>
      </form>
      <button class="link" onClick={() => { setMode(mode === 'login' ? 'register' : 'login'); setError(null) }}>
        {mode === 'login' ? 'New here? Create an account' : 'Have an account? Sign in'}
      </button>
    </main>
  )
}
