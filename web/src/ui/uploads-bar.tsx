/** @module Uploads into this conversation: progress, pause and resume; and uploads a reload interrupted. */
import type { Chat } from '../state/chat.js'
import { cancelUpload, interruptedUploads, pauseUpload, resumeUpload } from '../state/uploads.js'
import { bytes } from './format.js'

export function UploadsBar({ chat, id }: { chat: Chat; id: string }) {
  const uploads = chat.state.uploads.filter((u) => u.conversation_id === id)
  const interrupted = interruptedUploads(chat.state.uploads).filter((u) => u.conversationId === id)
  if (uploads.length === 0 && interrupted.length === 0) return null
  return (
    <section class="uploads" aria-label="Uploads">
      {uploads.map((u) => {
        const percent = u.size > 0 ? Math.floor((u.sent / u.size) * 100) : 100
        return (
          <div class="upload" key={u.key} data-upload={u.name} data-state={u.state}>
            <span class="upload-name">{u.name}</span>
            <progress max={u.size || 1} value={u.sent} aria-label={`Uploading ${u.name}`} />
            <span class="muted" data-percent={percent}>{percent}% of {bytes(u.size)}</span>
            {u.state === 'uploading' && <button class="secondary" onClick={() => pauseUpload(chat, u)}>Pause</button>}
            {(u.state === 'paused' || u.state === 'failed') && <button class="secondary" onClick={() => resumeUpload(chat, u)}>Resume</button>}
            <button class="link" onClick={() => cancelUpload(chat, u)}>Cancel</button>
            {u.error && <span class="error" role="alert">{u.error}</span>}
          </div>
        )
      })}
      {interrupted.map((u) => (
        <p class="muted" key={`${u.name}:${u.size}`}>
          {u.name} ({bytes(u.size)}) was interrupted: attach it again to resume where it stopped.
        </p>
      ))}
    </section>
  )
}
