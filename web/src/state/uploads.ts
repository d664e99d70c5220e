/**
 * @module Files being uploaded into a conversation: tus with progress, pause and resume, then a
 * file message once the upload is complete. Uploads cut by a reload are listed from tus-js-client's
 * own records, and continue from the server's offset when the same file is picked again.
 */
import { startUpload } from '../api/uploads.js'
import type { Chat } from './chat.js'
import type { UploadState } from './model.js'

export interface InterruptedUpload {
  readonly name: string
  readonly size: number
  readonly conversationId: string | null
}

export function uploadFile(chat: Chat, conversationId: string, file: File): void {
  const upload: UploadState = {
    key: `${file.name}:${file.size}:${Date.now()}`,
    conversation_id: conversationId,
    name: file.name,
    size: file.size,
    sent: 0,
    state: 'uploading',
    handle: null,
  }
  const update = (change: Partial<UploadState>) => {
    Object.assign(upload, change)
    chat.state.uploads = [...chat.state.uploads]
    chat.changed()
  }
  upload.handle = startUpload(chat.session, file, conversationId, {
    onProgress: (sent) => update({ sent }),
    onDone: (fileId) => {
      chat.state.uploads = chat.state.uploads.filter((u) => u !== upload)
      chat.sendMessage(conversationId, { type: 'file', file_id: fileId })
    },
    onError: (message) => update({ state: 'failed', error: message }),
  })
  chat.state.uploads = [...chat.state.uploads, upload]
  chat.changed()
}

export function pauseUpload(chat: Chat, upload: UploadState): void {
  upload.handle?.pause()
  upload.state = 'paused'
  chat.state.uploads = [...chat.state.uploads]
  chat.changed()
}

export function resumeUpload(chat: Chat, upload: UploadState): void {
  upload.handle?.resume()
  upload.state = 'uploading'
  delete upload.error
  chat.state.uploads = [...chat.state.uploads]
  chat.changed()
}

export function cancelUpload(chat: Chat, upload: UploadState): void {
  upload.handle?.cancel()
  chat.state.uploads = chat.state.uploads.filter((u) => u !== upload)
  chat.changed()
}

/** Uploads tus-js-client remembers (started, never finished), not running in this page. */
export function interruptedUploads(running: readonly UploadState[]): InterruptedUpload[] {
  const found: InterruptedUpload[] = []
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i)
    if (!key?.startsWith('tus::')) continue
    try {
      const entry = JSON.parse(localStorage.getItem(key) ?? '') as { size?: number; metadata?: Record<string, string> }
      const name = entry.metadata?.['filename'] ?? 'file'
      const size = entry.size ?? 0
      if (running.some((u) => u.name === name && u.size === size)) continue
      found.push({ name, size, conversationId: entry.metadata?.['conversation_id'] ?? null })
    } catch {
      // Not one of ours.
    }
  }
  return found
}
