/**
 * Files in the all-in-one shape, over real HTTP: the simple multipart upload, metadata, signed
 * downloads (Range, headers, expiry, tampering), who may see a file, and files as attachments.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { fetchHashed, MiB, randomData, sha256, simpleUpload } from '../support/files.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'

let server: TestPlatform
const blobs = tempDir('chat4all-blobs-')

beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_DOWNLOAD_URL_TTL: '2', CHAT4ALL_BLOBS: `file:${blobs.path}` })
})
afterAll(async () => {
  await server.stop()
  blobs.remove()
})

async function pair() {
  const alice = await newUser(server.url, 'alice')
  const bob = await newUser(server.url, 'bob')
  const created = await alice.post('/v1/conversations', { type: 'private', members: [bob.username] })
  return { alice, bob, conversationId: created.body.conversation_id as string }
}

/** Every stored object under the blob root (not the store's own scratch directories). */
function storedObjects(root = join(blobs.path, 'files')): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
}

describe('simple multipart upload', () => {
  it('streams a file in and answers 201 with its metadata and SHA-256', async () => {
    const { alice } = await pair()
    const data = randomData(3 * MiB + 11)
    const reply = await simpleUpload(alice, data, 'holiday photo.png', 'image/png')
    expect(reply.status).toBe(201)
    expect(reply.body).toEqual({
      file_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      filename: 'holiday photo.png',
      size_bytes: data.length,
      mimetype: 'image/png',
      checksum: `sha256:${sha256(data)}`,
      uploaded_at: expect.any(String),
    })
    const meta = await alice.get(`/v1/files/${reply.body.file_id}`)
    expect(meta.status).toBe(200)
    expect(meta.body).toMatchObject({ file_id: reply.body.file_id, state: 'ready', owner_id: alice.userId, size_bytes: data.length })
    expect(storedObjects()).toContain(reply.body.file_id)
  })

  it('handles empty files, and sanitises names that try to reach outside', async () => {
    const { alice } = await pair()
    const empty = await simpleUpload(alice, Buffer.alloc(0), '../../etc/passwd', 'text/plain')
    expect(empty.status).toBe(201)
    expect(empty.body).toMatchObject({ filename: 'passwd', size_bytes: 0, checksum: `sha256:${sha256('')}` })
    const weird = await simpleUpload(alice, Buffer.from('x'), '..\\..\\evil\u0007name|.exe', 'text/html; charset=utf-8')
    expect(weird.body).toMatchObject({ filename: 'evil_name_.exe', mimetype: 'text/html' })
    const download = await alice.get(`/v1/files/${empty.body.file_id}/download`)
    const body = await fetchHashed(download.body.download_url)
    expect(body).toMatchObject({ status: 200, bytes: 0, sha256: sha256('') })
  })

  it('refuses a declared SHA-256 that does not match and keeps nothing', async () => {
    const { alice } = await pair()
    const before = storedObjects().length
    const data = randomData(100_000)
    const reply = await simpleUpload(alice, data, 'a.bin', 'application/octet-stream', { sha256: sha256('something else') })
    expect(reply.status).toBe(422)
    expect(reply.body).toMatchObject({ code: 'checksum_mismatch', field: 'sha256' })
    expect(storedObjects().length).toBe(before)
    const good = await simpleUpload(alice, data, 'a.bin', 'application/octet-stream', {}, `?sha256=sha256:${sha256(data)}`)
    expect(good.status).toBe(201)
  })

  it('rejects bad requests with problem+json', async () => {
    const { alice } = await pair()
    const noFile = await fetch(`${server.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: (() => {
        const form = new FormData()
        form.append('conversation_id', randomUUID())
        return form
      })(),
    })
    expect(noFile.status).toBe(400)
    expect(await noFile.json()).toMatchObject({ code: 'validation_failed', field: 'file' })
    const json = await alice.post('/v1/files', { file: 'nope' })
    expect(json.status).toBe(415)
    const stranger = await simpleUpload(alice, Buffer.from('x'), 'x.txt', 'text/plain', { conversation_id: randomUUID() })
    expect(stranger.status).toBe(404)
    expect(stranger.body.code).toBe('conversation_not_found')
    const anonymous = await fetch(`${server.url}/v1/files/${randomUUID()}`)
    expect(anonymous.status).toBe(401)
  })
})

describe('downloads', () => {
  it('hands out a signed URL serving the bytes with Range, type, length, ETag and disposition', async () => {
    const { alice } = await pair()
    const data = randomData(2 * MiB + 5)
    const uploaded = (await simpleUpload(alice, data, 'rapport d’été.pdf', 'application/pdf')).body
    const link = await alice.get(`/v1/files/${uploaded.file_id}/download`)
    expect(link.status).toBe(200)
    expect(link.body).toMatchObject({
      filename: 'rapport d’été.pdf',
      size_bytes: data.length,
      mimetype: 'application/pdf',
      checksum: uploaded.checksum,
      expires_in: 2,
    })
    expect(Date.parse(link.body.expires_at)).toBeGreaterThan(Date.now())
    const whole = await fetch(link.body.download_url)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('application/pdf')
    expect(whole.headers.get('content-length')).toBe(String(data.length))
    expect(whole.headers.get('etag')).toBe(`"${sha256(data)}"`)
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    expect(whole.headers.get('content-disposition')).toBe(`inline; filename="rapport d__t_.pdf"; filename*=UTF-8''rapport%20d%E2%80%99%C3%A9t%C3%A9.pdf`)
    expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true)

    const range = await fetch(link.body.download_url, { headers: { range: 'bytes=0-0' } })
    expect(range.status).toBe(206)
    expect(range.headers.get('content-range')).toBe(`bytes 0-0/${data.length}`)
    expect(Buffer.from(await range.arrayBuffer())).toEqual(data.subarray(0, 1))
    const middle = await fetch(link.body.download_url, { headers: { range: 'bytes=1048570-1048585' } })
    expect(middle.status).toBe(206)
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(data.subarray(1048570, 1048586))
    const suffix = await fetch(link.body.download_url, { headers: { range: 'bytes=-7' } })
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(data.subarray(-7))
    const open = await fetch(link.body.download_url, { headers: { range: `bytes=${data.length - 3}-` } })
    expect(open.headers.get('content-length')).toBe('3')
    const outside = await fetch(link.body.download_url, { headers: { range: `bytes=${data.length}-` } })
    expect(outside.status).toBe(416)
    expect(outside.headers.get('content-range')).toBe(`bytes */${data.length}`)
    const cached = await fetch(link.body.download_url, { headers: { 'if-none-match': `"${sha256(data)}"` } })
    expect(cached.status).toBe(304)
    // Conditions are evaluated before Range: a cached copy is still fresh whatever range it asks for.
    const cachedOutside = await fetch(link.body.download_url, {
      headers: { 'if-none-match': `"${sha256(data)}"`, range: `bytes=${data.length}-` },
    })
    expect(cachedOutside.status).toBe(304)
    const head = await fetch(link.body.download_url, { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe(String(data.length))
  })

  it('downloads active content as an attachment, never inline', async () => {
    const { alice } = await pair()
    const uploaded = (await simpleUpload(alice, Buffer.from('<script>alert(1)</script>'), 'page.html', 'text/html')).body
    const link = await alice.get(`/v1/files/${uploaded.file_id}/download`)
    const page = await fetch(link.body.download_url)
    expect(page.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('content-security-policy')).toContain('sandbox')
  })

  it('refuses tampered and expired URLs with 403', async () => {
    const { alice } = await pair()
    const first = (await simpleUpload(alice, Buffer.from('first'), 'a.txt', 'text/plain')).body
    const second = (await simpleUpload(alice, Buffer.from('second'), 'b.txt', 'text/plain')).body
    const url = new URL((await alice.get(`/v1/files/${first.file_id}/download`)).body.download_url)
    const tamper = async (change: (u: URL) => void) => {
      const copy = new URL(url)
      change(copy)
      const reply = await fetch(copy)
      return { status: reply.status, body: (await reply.json()) as { code: string } }
    }
    expect((await fetch(url)).status).toBe(200)
    const otherFile = await tamper((u) => (u.pathname = u.pathname.replace(first.file_id, second.file_id)))
    expect(otherFile).toMatchObject({ status: 403, body: { code: 'signed_url_invalid' } })
    const longer = await tamper((u) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600)))
    expect(longer).toMatchObject({ status: 403, body: { code: 'signed_url_invalid' } })
    const forged = await tamper((u) => u.searchParams.set('signature', 'A'.repeat(43)))
    expect(forged).toMatchObject({ status: 403, body: { code: 'signed_url_invalid' } })
    const unsigned = await tamper((u) => u.searchParams.delete('signature'))
    expect(unsigned.status).toBe(403)
    await new Promise((resolve) => setTimeout(resolve, 3100)) // the TTL of this platform is 2 s
    const expired = await fetch(url)
    expect(expired.status).toBe(403)
    expect(((await expired.json()) as { code: string }).code).toBe('signed_url_expired')
  })
})

describe('access and attachments', () => {
  it('shows a file to its uploader and the members it was shared with; everyone else gets 404', async () => {
    const { alice, bob, conversationId } = await pair()
    const eve = await newUser(server.url, 'eve')
    const data = randomData(50_000)
    const uploaded = (await simpleUpload(alice, data, 'notes.txt', 'text/plain')).body
    for (const path of [`/v1/files/${uploaded.file_id}`, `/v1/files/${uploaded.file_id}/download`]) {
      expect((await bob.get(path)).status, path).toBe(404)
      expect((await eve.get(path)).body.code, path).toBe('no_such_file')
    }
    // Not attachable by someone it was never shared with.
    const eveSends = await eve.post('/v1/messages', { to: alice.username, payload: { type: 'file', file_id: uploaded.file_id } })
    expect(eveSends.status).toBe(400)
    expect(eveSends.body).toMatchObject({ code: 'file_not_found', field: 'payload.file_id' })

    const sent = await alice.post('/v1/messages', {
      conversation_id: conversationId,
      payload: { type: 'file', file_id: uploaded.file_id, text: 'the notes' },
    })
    expect(sent.status).toBe(202)
    const history = await bob.get(`/v1/conversations/${conversationId}/messages`)
    expect(history.body.messages[0].payload).toEqual({
      type: 'file',
      file_id: uploaded.file_id,
      text: 'the notes',
      file: { filename: 'notes.txt', size_bytes: data.length, mimetype: 'text/plain', checksum: `sha256:${sha256(data)}` },
    })
    expect(history.body.messages[0].content).toBe('the notes')
    const link = await bob.get(`/v1/files/${uploaded.file_id}/download`)
    expect(link.status).toBe(200)
    expect((await fetchHashed(link.body.download_url)).sha256).toBe(sha256(data))
    expect((await eve.get(`/v1/files/${uploaded.file_id}`)).status).toBe(404)

    // Bob may forward what he can read; the compact body of the first API works too.
    const group = await bob.post('/v1/conversations', { type: 'group', members: [eve.username] })
    const forwarded = await bob.post('/v1/messages', { conversation_id: group.body.conversation_id, file_id: uploaded.file_id, content: 'fyi' })
    expect(forwarded.status).toBe(202)
    expect((await eve.get(`/v1/files/${uploaded.file_id}`)).status).toBe(200)
    const detail = await eve.get(`/v1/messages/${forwarded.body.message_id}`)
    expect(detail.body.payload).toMatchObject({ type: 'file', file_id: uploaded.file_id, text: 'fyi', file: { filename: 'notes.txt' } })
    // Leaving the conversation takes the access away.
    await eve.delete(`/v1/conversations/${group.body.conversation_id}/members/${eve.userId}`)
    expect((await eve.get(`/v1/files/${uploaded.file_id}`)).status).toBe(404)
  })

  it('shares a file uploaded for a conversation with its members at once', async () => {
    const { alice, bob, conversationId } = await pair()
    const uploaded = await simpleUpload(alice, Buffer.from('for us'), 'us.txt', 'text/plain', { conversation_id: conversationId })
    expect(uploaded.status).toBe(201)
    const meta = await bob.get(`/v1/files/${uploaded.body.file_id}`)
    expect(meta.body).toMatchObject({ conversation_id: conversationId, state: 'ready' })
    const sent = await bob.post('/v1/messages', { conversation_id: conversationId, payload: { type: 'file', file_id: uploaded.body.file_id } })
    expect(sent.status).toBe(202)
  })
})

describe('interruptions', () => {
  it('cleans up after a client that goes away mid-file', async () => {
    const alice = await newUser(server.url)
    const url = new URL(server.url)
    const boundary = 'gone-boundary'
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="gone.bin"\r\n\r\n`
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /v1/files HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${alice.token}\r\n` +
            `content-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: ${10 * MiB}\r\n\r\n${head}`,
        )
        socket.write(randomData(2 * MiB), () => setTimeout(() => socket.destroy(), 200))
      })
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(readdirSync(join(blobs.path, '.tmp'))).toEqual([])
  })
})

describe('limits', () => {
  it('cuts off a streamed body past the limit and keeps nothing', async () => {
    const smallBlobs = tempDir('chat4all-blobs-')
    const small = await startTestPlatform({ CHAT4ALL_MAX_FILE_BYTES: String(MiB), CHAT4ALL_BLOBS: `file:${smallBlobs.path}` })
    try {
      const alice = await newUser(small.url)
      const boundary = 'chat4all-boundary'
      const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`)
      const body = Readable.from(
        (function* () {
          yield head
          for (let i = 0; i < 4; i++) yield randomData(MiB)
          yield Buffer.from(`\r\n--${boundary}--\r\n`)
        })(),
      )
      // No Content-Length: only the stream itself can tell it is too long.
      const reply = await fetch(`${small.url}/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Readable.toWeb(body) as ReadableStream,
        duplex: 'half',
      } as RequestInit).catch((error: unknown) => error)
      if (reply instanceof Response) {
        expect(reply.status).toBe(413)
        expect(((await reply.json()) as { code: string }).code).toBe('file_too_large')
      }
      // Whether the client saw the answer or only the closed connection, nothing was kept.
      expect(storedObjects(join(smallBlobs.path, 'files'))).toEqual([])
      const exact = await simpleUpload(alice, randomData(MiB), 'exact.bin')
      expect(exact.status).toBe(201)
    } finally {
      await small.stop()
      smallBlobs.remove()
    }
  })
})
