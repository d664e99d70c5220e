/**
 * tus 1.0 at /v1/uploads with the real tus-js-client: whole and chunked uploads, an upload
 * interrupted mid-way and resumed, checksums, limits refused before the body is read, termination,
 * expiry, and a ≥ 100 MiB round trip compared by SHA-256.
 */
import { randomUUID, createHash } from 'node:crypto'
import { createReadStream, existsSync, readdirSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { fetchHashed, fileStream, MiB, randomData, sha256, tusUpload, writeTestFile } from '../support/files.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'

const CHUNK = 5 * MiB
let server: TestPlatform
const blobs = tempDir('chat4all-blobs-')
const scratch = tempDir('chat4all-tus-data-')

beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_BLOBS: `file:${blobs.path}`, CHAT4ALL_UPLOAD_CHUNK_BYTES: String(CHUNK) })
})
afterAll(async () => {
  await server.stop()
  blobs.remove()
  scratch.remove()
})

const files = (dir: string) =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []

/** A tus request by hand, for what tus-js-client never does wrong. */
async function tus(method: string, path: string, token: string | undefined, headers: Record<string, string> = {}, body?: Buffer) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'tus-resumable': '1.0.0', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(body ? { body } : {}),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null }
}

const metadata = (entries: Record<string, string>) =>
  Object.entries(entries)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')

/** Sends raw request headers, never a byte of body, and returns the status line the server answers with. */
function headersOnly(request: string): Promise<string> {
  const url = new URL(server.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname)
    let answer = ''
    socket.on('data', (chunk) => {
      answer += chunk.toString()
      if (answer.includes('\r\n')) {
        socket.destroy()
        resolve(answer.split('\r\n')[0]!)
      }
    })
    socket.on('error', reject)
    socket.write(request.replace(/\n/g, '\r\n'))
  })
}

/** Starts a PATCH of the whole file, sends its first `cutAfter` bytes and drops the connection. */
function cutPatch(path: string, token: string, file: string, size: number, cutAfter: number): Promise<void> {
  const url = new URL(path, server.url)
  return new Promise((resolve) => {
    const request = httpRequest(url, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(size),
      },
    })
    request.on('error', () => resolve())
    request.on('response', (response) => {
      response.resume()
      resolve()
    })
    const head = createReadStream(file, { end: cutAfter - 1 })
    head.on('end', () => setTimeout(() => request.destroy(), 100))
    head.pipe(request, { end: false })
  })
}

describe('tus uploads', () => {
  it('uploads with tus-js-client, announcing itself by OPTIONS', async () => {
    const alice = await newUser(server.url)
    const options = await fetch(`${server.url}/v1/uploads`, { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(options.headers.get('tus-version')).toBe('1.0.0')
    expect(options.headers.get('tus-extension')).toBe('creation,creation-with-upload,termination,expiration,checksum')
    expect(options.headers.get('tus-max-size')).toBe(String(2 * 1024 * MiB))
    const data = randomData(12 * MiB + 321)
    const { done } = tusUpload(server.url, alice.token!, data, { metadata: { filename: 'clip.mp4', filetype: 'video/mp4' } })
    const { fileId } = await done
    const meta = await alice.get(`/v1/files/${fileId}`)
    expect(meta.body).toMatchObject({ state: 'ready', filename: 'clip.mp4', mimetype: 'video/mp4', size_bytes: data.length, checksum: `sha256:${sha256(data)}` })
    const link = await alice.get(`/v1/files/${fileId}/download`)
    expect((await fetchHashed(link.body.download_url)).sha256).toBe(sha256(data))
  })

  it('resumes an upload interrupted mid-way from the offset the server kept', async () => {
    const alice = await newUser(server.url)
    const path = join(scratch.path, 'interrupted.bin')
    const size = 48 * MiB
    const expected = await writeTestFile(path, size, 'interrupted')
    // The first attempt is cut by hand, mid-PATCH, so the server can never have the whole body:
    // aborting tus-js-client from onProgress raced with its socket buffers and sometimes lost.
    const created = await tus('POST', '/v1/uploads', alice.token, { 'upload-length': String(size), 'upload-metadata': metadata({ filename: 'interrupted.bin' }) })
    expect(created.status).toBe(201)
    const url = created.headers.get('location')!
    await cutPatch(new URL(url).pathname, alice.token!, path, size, Math.floor(size * 0.55))
    await new Promise((resolve) => setTimeout(resolve, 300)) // the server notices the cut connection
    const head = await tus('HEAD', new URL(url).pathname, alice.token)
    const kept = Number(head.headers.get('upload-offset'))
    expect(head.status).toBe(200)
    expect(head.headers.get('upload-length')).toBe(String(size))
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(size)
    expect(kept % CHUNK, 'what survives a cut is whole chunks').toBe(0)

    let resumedFrom: number | undefined
    const second = tusUpload(server.url, alice.token!, fileStream(path), {
      uploadUrl: url,
      retryDelays: [100, 300, 1000],
      onProgress: (sent) => (resumedFrom ??= sent),
    })
    const { fileId } = await second.done
    expect(resumedFrom).toBeGreaterThanOrEqual(kept)
    const meta = await alice.get(`/v1/files/${fileId}`)
    expect(meta.body).toMatchObject({ state: 'ready', size_bytes: size, checksum: `sha256:${expected}` })
    const link = await alice.get(`/v1/files/${fileId}/download`)
    expect(await fetchHashed(link.body.download_url)).toMatchObject({ bytes: size, sha256: expected })
  })

  it('accepts PATCHes of any size, not aligned to chunks, with data sent on creation', async () => {
    const alice = await newUser(server.url)
    const data = randomData(17 * MiB + 5)
    const { done } = tusUpload(server.url, alice.token!, data, { chunkSize: 3 * MiB + 7, uploadDataDuringCreation: true })
    const { fileId } = await done
    expect((await alice.get(`/v1/files/${fileId}`)).body.checksum).toBe(`sha256:${sha256(data)}`)
    expect(files(join(blobs.path, 'uploads')), 'no tail is left behind').toEqual([])
  })

  it('uploads empty files', async () => {
    const alice = await newUser(server.url)
    const { fileId } = await tusUpload(server.url, alice.token!, Buffer.alloc(0), { metadata: { filename: 'empty.txt' } }).done
    expect((await alice.get(`/v1/files/${fileId}`)).body).toMatchObject({ state: 'ready', size_bytes: 0, checksum: `sha256:${sha256('')}` })
  })

  it('keeps concurrent uploads apart', async () => {
    const alice = await newUser(server.url)
    const bob = await newUser(server.url)
    const uploads = Array.from({ length: 6 }, (_, i) => ({ who: i % 2 ? bob : alice, data: randomData(6 * MiB + i * 1000) }))
    const results = await Promise.all(uploads.map(({ who, data }) => tusUpload(server.url, who.token!, data, { chunkSize: 2 * MiB }).done))
    for (const [i, { fileId }] of results.entries()) {
      const meta = await uploads[i]!.who.get(`/v1/files/${fileId}`)
      expect(meta.body.checksum).toBe(`sha256:${sha256(uploads[i]!.data)}`)
    }
  })
})

describe('tus checksums', () => {
  it('refuses a file whose SHA-256 is not the declared one, and keeps nothing', async () => {
    const alice = await newUser(server.url)
    const before = files(join(blobs.path, 'files')).length
    const data = randomData(6 * MiB)
    const failed = await tusUpload(server.url, alice.token!, data, { metadata: { sha256: sha256('other') } }).done.catch((e: unknown) => e)
    expect((failed as { originalResponse?: { getStatus(): number } }).originalResponse?.getStatus()).toBe(422)
    expect(files(join(blobs.path, 'files')).length).toBe(before)
    const ok = await tusUpload(server.url, alice.token!, data, { metadata: { sha256: sha256(data) } }).done
    expect((await alice.get(`/v1/files/${ok.fileId}`)).body.state).toBe('ready')
  })

  it('drops a PATCH whose Upload-Checksum does not match (460) and accepts it sent again', async () => {
    const alice = await newUser(server.url)
    const data = randomData(6 * MiB + 1)
    const created = await tus('POST', '/v1/uploads', alice.token, { 'upload-length': String(data.length) })
    expect(created.status).toBe(201)
    const path = new URL(created.headers.get('location')!).pathname
    const digest = (algorithm: string, body: Buffer) => createHash(algorithm).update(body).digest('base64')
    const patch = (body: Buffer, offset: number, checksum: string) =>
      tus('PATCH', path, alice.token, { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), 'upload-checksum': checksum }, body)
    const first = data.subarray(0, 4 * MiB)
    const bad = await patch(first, 0, `sha1 ${digest('sha1', Buffer.from('nope'))}`)
    expect(bad.status).toBe(460)
    expect(bad.body).toMatchObject({ code: 'chunk_checksum_mismatch' })
    expect((await tus('HEAD', path, alice.token)).headers.get('upload-offset')).toBe('0')
    expect((await patch(first, 0, `md4 ${digest('sha1', first)}`)).status).toBe(400)
    const good = await patch(first, 0, `sha1 ${digest('sha1', first)}`)
    expect(good.status).toBe(204)
    expect(good.headers.get('upload-offset')).toBe(String(4 * MiB))
    const rest = data.subarray(4 * MiB)
    const last = await patch(rest, 4 * MiB, `sha256 ${digest('sha256', rest)}`)
    expect(last.headers.get('upload-offset')).toBe(String(data.length))
    expect((await alice.get(`/v1/files/${path.split('/').pop()}`)).body.checksum).toBe(`sha256:${sha256(data)}`)
  })
})

describe('tus protocol rules', () => {
  it('answers protocol mistakes with the statuses tus prescribes', async () => {
    const alice = await newUser(server.url)
    const eve = await newUser(server.url)
    expect((await tus('POST', '/v1/uploads', undefined, { 'upload-length': '10' })).status).toBe(401)
    const noVersion = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'upload-length': '10' } })
    expect(noVersion.status).toBe(412)
    expect(noVersion.headers.get('tus-version')).toBe('1.0.0')
    expect((await tus('POST', '/v1/uploads', alice.token, {})).body).toMatchObject({ code: 'validation_failed', field: 'Upload-Length' })
    expect((await tus('POST', '/v1/uploads', alice.token, { 'upload-defer-length': '1' })).status).toBe(400)
    expect((await tus('POST', '/v1/uploads', alice.token, { 'upload-length': '10', 'upload-metadata': 'bad metadata here' })).status).toBe(400)
    const created = await tus('POST', '/v1/uploads', alice.token, { 'upload-length': '10', 'upload-metadata': metadata({ filename: 'x.txt' }) })
    expect(created.headers.get('upload-expires')).toBeTruthy()
    const path = new URL(created.headers.get('location')!).pathname
    const octets = { 'content-type': 'application/offset+octet-stream' }
    expect((await tus('PATCH', path, alice.token, { ...octets, 'upload-offset': '3' }, Buffer.from('abc'))).status).toBe(409)
    expect((await tus('PATCH', path, alice.token, { 'content-type': 'text/plain', 'upload-offset': '0' }, Buffer.from('abc'))).status).toBe(415)
    expect((await tus('PATCH', path, alice.token, { ...octets, 'upload-offset': '0' }, Buffer.from('x'.repeat(11)))).status).toBe(413)
    expect((await tus('PATCH', path, eve.token, { ...octets, 'upload-offset': '0' }, Buffer.from('abc'))).status).toBe(404)
    expect((await tus('HEAD', path, eve.token)).status).toBe(404)
    const head = await tus('HEAD', path, alice.token)
    expect(head.headers.get('upload-metadata')).toBe(metadata({ filename: 'x.txt' }))
    expect(head.headers.get('cache-control')).toBe('no-store')
    expect(head.headers.get('tus-resumable')).toBe('1.0.0')
    const overridden = await tus('POST', path, alice.token, { ...octets, 'x-http-method-override': 'PATCH', 'upload-offset': '0' }, Buffer.from('abc'))
    expect(overridden.status).toBe(204)
    expect(overridden.headers.get('upload-offset')).toBe('3')
    expect((await tus('DELETE', path, eve.token)).status).toBe(404)
    expect((await tus('DELETE', path, alice.token)).status).toBe(204)
    expect((await tus('HEAD', path, alice.token)).status).toBe(404)
    expect((await tus('HEAD', `/v1/uploads/${randomUUID()}`, alice.token)).status).toBe(404)
  })

  it('refuses what is over the limit from the headers alone, before reading any body', async () => {
    const alice = await newUser(server.url)
    const threeGiB = String(3 * 1024 * MiB)
    const auth = `authorization: Bearer ${alice.token}`
    const tusCreate = await headersOnly(`POST /v1/uploads HTTP/1.1\nhost: x\n${auth}\ntus-resumable: 1.0.0\nupload-length: ${threeGiB}\ncontent-length: 0\n\n`)
    expect(tusCreate).toBe('HTTP/1.1 413 Payload Too Large')
    const withBody = await headersOnly(
      `POST /v1/uploads HTTP/1.1\nhost: x\n${auth}\ntus-resumable: 1.0.0\nupload-length: ${threeGiB}\ncontent-type: application/offset+octet-stream\ncontent-length: ${threeGiB}\n\n`,
    )
    expect(withBody).toBe('HTTP/1.1 413 Payload Too Large')
    const simple = await headersOnly(`POST /v1/files HTTP/1.1\nhost: x\n${auth}\ncontent-type: multipart/form-data; boundary=x\ncontent-length: ${threeGiB}\n\n`)
    expect(simple).toBe('HTTP/1.1 413 Payload Too Large')
    const initiate = await alice.post('/v1/files/initiate', { filename: 'huge.iso', size: 3 * 1024 * MiB })
    expect(initiate.status).toBe(413)
    expect(initiate.body).toMatchObject({ code: 'file_too_large', field: 'size' })
    const small = await tus('POST', '/v1/uploads', alice.token, { 'upload-length': '100' })
    const path = new URL(small.headers.get('location')!).pathname
    const patch = await headersOnly(
      `PATCH ${path} HTTP/1.1\nhost: x\n${auth}\ntus-resumable: 1.0.0\nupload-offset: 0\ncontent-type: application/offset+octet-stream\ncontent-length: ${threeGiB}\n\n`,
    )
    expect(patch).toBe('HTTP/1.1 413 Payload Too Large')
    const noLength = await headersOnly(
      `PATCH ${path} HTTP/1.1\nhost: x\n${auth}\ntus-resumable: 1.0.0\nupload-offset: 0\ncontent-type: application/offset+octet-stream\ntransfer-encoding: chunked\n\n`,
    )
    expect(noLength).toBe('HTTP/1.1 411 Length Required')
  })
})

describe('expiry', () => {
  it('deletes uploads left incomplete past their expiry, with their bytes', async () => {
    const shortBlobs = tempDir('chat4all-blobs-')
    const short = await startTestPlatform({
      CHAT4ALL_BLOBS: `file:${shortBlobs.path}`,
      CHAT4ALL_UPLOAD_EXPIRY: '1',
      CHAT4ALL_UPLOAD_CLEANUP_INTERVAL: '1',
      CHAT4ALL_UPLOAD_CHUNK_BYTES: String(CHUNK),
    })
    try {
      const alice = await newUser(short.url)
      const request = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
        fetch(`${short.url}${path}`, {
          method,
          headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${alice.token}`, ...headers },
          ...(body ? { body } : {}),
        })
      const created = await request('POST', '/v1/uploads', { 'upload-length': String(12 * MiB) })
      const expires = Date.parse(created.headers.get('upload-expires')!)
      expect(expires - Date.now()).toBeLessThanOrEqual(1500)
      const path = new URL(created.headers.get('location')!).pathname
      const patched = await request('PATCH', path, { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, randomData(6 * MiB))
      expect(patched.headers.get('upload-offset')).toBe(String(6 * MiB))
      expect(files(join(shortBlobs.path, '.multipart')).length).toBe(1)
      expect(files(join(shortBlobs.path, 'uploads')).length).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 2500))
      expect((await request('HEAD', path, {})).status).toBe(404)
      expect(files(join(shortBlobs.path, '.multipart'))).toEqual([])
      expect(files(join(shortBlobs.path, 'uploads'))).toEqual([])
    } finally {
      await short.stop()
      shortBlobs.remove()
    }
  })
})

describe('large files', () => {
  it('round-trips 128 MiB through tus with the same SHA-256', async () => {
    const alice = await newUser(server.url)
    const size = 128 * MiB
    const path = join(scratch.path, 'large.bin')
    const expected = await writeTestFile(path, size, 'large')
    const { fileId } = await tusUpload(server.url, alice.token!, fileStream(path), { metadata: { filename: 'large.bin' } }).done
    expect((await alice.get(`/v1/files/${fileId}`)).body.checksum).toBe(`sha256:${expected}`)
    const link = await alice.get(`/v1/files/${fileId}/download`)
    expect(await fetchHashed(link.body.download_url)).toMatchObject({ status: 200, bytes: size, sha256: expected })
  })
})
