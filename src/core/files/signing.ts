/**
 * @module HMAC-signed download URLs for the all-in-one shape, where the API serves the bytes: the
 * signature covers the file and the expiry, so a link can be shared, but not stretched or pointed
 * at another file. (The S3 shape hands out S3's own presigned URLs instead.)
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export type UrlVerdict = 'ok' | 'expired' | 'invalid'

export interface UrlSigner {
  /** The query string (`expires=…&signature=…`) for the file until `expiresAt` (epoch seconds). */
  sign(fileId: string, expiresAt: number): string
  verify(fileId: string, expires: string | undefined, signature: string | undefined, nowSeconds: number): UrlVerdict
}

export function createUrlSigner(secret: string): UrlSigner {
  // A key of its own, derived from the shared secret, so these signatures can never pass for tokens.
  const key = createHmac('sha256', secret).update('chat4all/file-download-urls/v1').digest()
  const mac = (fileId: string, expires: string) => createHmac('sha256', key).update(`${fileId}\n${expires}`).digest()
  return {
    sign(fileId, expiresAt) {
      const expires = String(Math.floor(expiresAt))
      return `expires=${expires}&signature=${mac(fileId, expires).toString('base64url')}`
    },
    verify(fileId, expires, signature, nowSeconds) {
      if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return 'invalid'
      const given = Buffer.from(signature, 'base64url')
      const expected = mac(fileId, expires)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
      return Number(expires) < nowSeconds ? 'expired' : 'ok'
    },
  }
}
