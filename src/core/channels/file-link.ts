/**
 * @module Files go to platforms as links they fetch themselves: a signed download URL (an S3
 * presigned URL in the scaled-out shape), valid for `CHAT4ALL_DOWNLOAD_URL_TTL`, made as the
 * message's sender (who attached the file, so may read it). The platform must reach `apiBase`:
 * behind a proxy, set `CHAT4ALL_PUBLIC_URL`.
 */
import { downloadLink } from '../files/access.js'
import type { FilesContext } from '../files/context.js'

export function channelFileLink(fx: FilesContext, apiBase: string) {
  return async (fileId: string, senderId: string) => {
    try {
      const link = await downloadLink(fx, senderId, fileId, apiBase)
      return { url: link.url, mimeType: link.record.contentType, filename: link.record.filename }
    } catch {
      // Gone or not readable: the message still goes, as text naming the file.
      return undefined
    }
  }
}
