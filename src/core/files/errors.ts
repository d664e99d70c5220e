/** @module The files feature's errors, built from the shared catalog (core/errors.ts). */
import { appError } from '../errors.js'

const MiB = 1024 * 1024
const human = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB ? 1 : 0)} MiB` : `${bytes} bytes`)

export const fileErrors = {
  noSuchFile: (id: string) => appError('no_such_file', `File '${id}' not found`, { field: 'file_id' }),
  noSuchUpload: (id: string) => appError('no_such_upload', `Upload '${id}' not found`, { field: 'upload_id' }),
  uploadExpired: (id: string) =>
    appError('upload_expired', `Upload '${id}' expired before it was completed; start a new one`, { field: 'upload_id' }),
  notReady: (id: string) => appError('file_not_ready', `File '${id}' is still uploading`, { field: 'file_id' }),
  tooLarge: (field: string, max: number) =>
    appError('file_too_large', `Files are limited to ${max} bytes (${human(max)})`, { field }),
  incomplete: (missing: readonly number[]) =>
    appError(
      'upload_incomplete',
      `Chunks missing: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}`,
      { field: 'chunks' },
    ),
  offsetMismatch: (expected: number, given: number) =>
    appError('upload_offset_mismatch', `The upload is at offset ${expected}, not ${given}`, { field: 'Upload-Offset' }),
  locked: (id: string) =>
    appError('upload_locked', `Another request is writing to upload '${id}'; retry shortly`, { field: 'upload_id', retryable: true }),
  lengthRequired: () => appError('length_required', 'Send the body with a Content-Length', { field: 'Content-Length' }),
  lengthMismatch: (field: string, message: string) => appError('length_mismatch', message, { field }),
  checksumMismatch: (field: string, declared: string, actual: string) =>
    appError('checksum_mismatch', `The file's SHA-256 is ${actual}, not the declared ${declared}; it was discarded`, { field }),
  chunkChecksumMismatch: () =>
    appError('chunk_checksum_mismatch', 'The body does not match its Upload-Checksum; none of it was kept', {
      field: 'Upload-Checksum',
    }),
  signedUrlExpired: () =>
    appError('signed_url_expired', 'This download link has expired; ask for a new one', { field: 'expires' }),
  signedUrlInvalid: () => appError('signed_url_invalid', 'This download link is not valid', { field: 'signature' }),
} as const
