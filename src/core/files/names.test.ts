import { describe, expect, it } from 'vitest'
import { contentDisposition, normalizeContentType, parseSha256, sanitizeFilename } from './names.js'

describe('file names', () => {
  it('keeps the last path segment only, without control, reserved or bidi characters', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd')
    expect(sanitizeFilename('C:\\Users\\x\\report.pdf')).toBe('report.pdf')
    expect(sanitizeFilename('a\u0000b"c<d>e|f?g*h:i.txt')).toBe('a_b_c_d_e_f_g_h_i.txt')
    expect(sanitizeFilename('invoice\u202egpj.exe')).toBe('invoice_gpj.exe')
    expect(sanitizeFilename('...hidden')).toBe('hidden')
    expect(sanitizeFilename('trailing. . ')).toBe('trailing')
    expect(sanitizeFilename('..')).toBe('file')
    expect(sanitizeFilename('')).toBe('file')
    expect(sanitizeFilename('Ünïcödé ✓.txt')).toBe('Ünïcödé ✓.txt')
  })

  it('limits names to 255 bytes of UTF-8, keeping a short extension', () => {
    const long = sanitizeFilename(`${'é'.repeat(300)}.jpeg`)
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255)
    expect(long.endsWith('.jpeg')).toBe(true)
    expect(Buffer.byteLength(sanitizeFilename('x'.repeat(20_000)))).toBe(255)
  })

  it('normalises content types and refuses malformed ones', () => {
    expect(normalizeContentType('Image/PNG; charset=binary')).toBe('image/png')
    expect(normalizeContentType('text/html\r\nx-injected: 1')).toBe('application/octet-stream')
    expect(normalizeContentType('nonsense')).toBe('application/octet-stream')
    expect(normalizeContentType(undefined)).toBe('application/octet-stream')
  })

  it('serves only passive types inline, with a safe ASCII fallback name', () => {
    expect(contentDisposition('a.png', 'image/png')).toBe(`inline; filename="a.png"; filename*=UTF-8''a.png`)
    expect(contentDisposition('x.svg', 'image/svg+xml')).toMatch(/^attachment;/)
    expect(contentDisposition('x.html', 'text/html')).toMatch(/^attachment;/)
    expect(contentDisposition('naïve "q".txt', 'text/plain')).toBe(`inline; filename="na_ve _q_.txt"; filename*=UTF-8''na%C3%AFve%20%22q%22.txt`)
  })

  it('reads a SHA-256 as hex, sha256:hex or base64', () => {
    const hex = 'ab'.repeat(32)
    expect(parseSha256(hex.toUpperCase())).toBe(hex)
    expect(parseSha256(`sha256:${hex}`)).toBe(hex)
    expect(parseSha256(Buffer.from(hex, 'hex').toString('base64'))).toBe(hex)
    expect(parseSha256('abc')).toBeUndefined()
  })
})
