/**
 * @module What a client says about a file, made safe: names that cannot traverse or inject headers,
 * content types that are well formed, and the disposition that keeps active content from running
 * inline on our origin.
 */

const MAX_NAME_BYTES = 255

/**
 * A file name fit for display and Content-Disposition: the last path segment only, no control or
 * reserved characters, no leading dots, at most 255 bytes of UTF-8. Never used to name storage.
 */
export function sanitizeFilename(raw: string): string {
  const last = raw.normalize('NFC').split(/[/\\]/).pop() ?? ''
  let name = last
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*\u202a-\u202e\u2066-\u2069]/g, '_')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '')
  if (name.length > MAX_NAME_BYTES) {
    const dot = name.lastIndexOf('.')
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : ''
    name = [...name.slice(0, name.length - ext.length)].slice(0, MAX_NAME_BYTES - ext.length).join('') + ext
  }
  while (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    const dot = name.lastIndexOf('.')
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : ''
    name = [...name.slice(0, name.length - ext.length)].slice(0, -1).join('') + ext
  }
  return name || 'file'
}

const tokenChars = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const mimePattern = new RegExp(`^${tokenChars}/${tokenChars}$`)

/** `type/subtype`, lower-cased, without parameters; anything else is application/octet-stream. */
export function normalizeContentType(raw: string | undefined | null): string {
  const essence = (raw ?? '').split(';')[0]!.trim().toLowerCase()
  return mimePattern.test(essence) && essence.length <= 127 ? essence : 'application/octet-stream'
}

/**
 * Types a browser may show inline from our origin: they cannot run script. HTML, SVG, XML and
 * anything unknown are always downloaded as attachments.
 */
const inlineTypes = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/aac',
  'audio/flac',
  'text/plain',
  'application/pdf',
])

export const isInlineType = (contentType: string): boolean => inlineTypes.has(contentType)

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name (RFC 8187). */
export function contentDisposition(filename: string, contentType: string): string {
  const kind = isInlineType(contentType) ? 'inline' : 'attachment'
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

/** Hex SHA-256 from `hex`, `sha256:hex` or base64 (tus metadata); undefined when it is none of them. */
export function parseSha256(raw: string): string | undefined {
  const value = raw.trim().replace(/^sha-?256[:=]/i, '')
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase()
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    if (bytes.length === 32) return bytes.toString('hex')
  }
  return undefined
}
