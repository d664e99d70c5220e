/**
 * @module Resumable uploads through tus (/v1/uploads) with tus-js-client. tus-js-client remembers
 * each upload's URL by the file's fingerprint in localStorage, so an upload cut by a reload resumes
 * from the server's offset once the same file is picked again. tus-js-client is loaded on the first
 * upload, not with the page: it is most of the bundle.
 */
import type { PreviousUpload, Upload } from 'tus-js-client'
import type { Session } from './session.js'

export interface UploadCallbacks {
  onProgress(sent: number, total: number): void
  onDone(fileId: string): void
  onError(message: string): void
}

export interface UploadHandle {
  pause(): void
  resume(): void
  cancel(): void
}

const chunkSize = 5 * 1024 * 1024

export function startUpload(session: Session, file: File, conversationId: string, callbacks: UploadCallbacks): UploadHandle {
  let upload: Upload | null = null
  let paused = false
  void import('tus-js-client').then(async ({ Upload }) => {
    const created: Upload = new Upload(file, {
      endpoint: '/v1/uploads',
      chunkSize,
      retryDelays: [0, 1000, 3000, 5000, 10_000],
      metadata: { filename: file.name, filetype: file.type || 'application/octet-stream', conversation_id: conversationId },
      removeFingerprintOnSuccess: true,
      // Each request carries a current token: a long upload outlives the access token.
      onBeforeRequest: async (request) => {
        request.setHeader('Authorization', `Bearer ${await session.accessToken()}`)
      },
      onProgress: (sent, total) => callbacks.onProgress(sent, total),
      onSuccess: () => {
        const id = created.url?.split('/').pop()
        if (id) callbacks.onDone(id)
        else callbacks.onError('The server gave no upload URL')
      },
      onError: (error) => callbacks.onError(error.message.split('\n')[0] ?? 'Upload failed'),
    })
    const previous: PreviousUpload[] = await created.findPreviousUploads()
    const last = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0]
    if (last) created.resumeFromPreviousUpload(last)
    upload = created
    if (!paused) created.start()
  }, (error: unknown) => callbacks.onError(error instanceof Error ? error.message : 'Upload failed'))
  return {
    pause: () => {
      paused = true
      void upload?.abort()
    },
    resume: () => {
      paused = false
      upload?.start()
    },
    cancel: () => {
      paused = true
      void upload?.abort(true)
    },
  }
}
