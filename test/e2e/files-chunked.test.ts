/**
 * Chunked REST uploads over real HTTP: initiate, chunks in any order and at once, a missing chunk
 * found by the status call and sent again, completion with the SHA-256 checked, and the rules.
 */
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { fetchHashed, MiB, putChunk, randomData, sha256, tusUpload } from '../support/files.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'

const CHUNK = 5 * MiB
let server: TestPlatform
const blobs = tempDir('chat4all-blobs-')

beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_BLOBS: `file:${blobs.path}`, CHAT4ALL_UPLOAD_CHUNK_BYTES: String(CHUNK) })
})
afterAll(async () => {
  await server.stop()
  blobs.remove()
})

const chunkOf = (data: Buffer, index: number) => data.subarray(index * CHUNK, (index + 1) * CHUNK)

describe('chunked uploads', () => {
  it('finds a missing chunk with the status call, takes it again, and completes', async () => {
    const alice = await newUser(server.url)
    const data = randomData(3 * CHUNK + 1234)
    const started = await alice.post('/v1/files/initiate', { filename: 'scan.tiff', size: data.length, content_type: 'image/tiff', sha256: sha256(data) })
    expect(started.status).toBe(201)
    expect(started.body).toMatchObject({ file_id: started.body.upload_id, chunk_size: CHUNK, total_chunks: 4, filename: 'scan.tiff' })
    expect(started.body.part_urls, 'the file store takes chunks through the API only').toBeUndefined()
    expect(Date.parse(started.body.expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000)
    const id = started.body.upload_id as string
    for (const index of [3, 0, 2]) {
      const put = await putChunk(alice, id, index, chunkOf(data, index))
      expect(put.status).toBe(200)
      expect(put.body).toMatchObject({ upload_id: id, index, size_bytes: chunkOf(data, index).length })
    }
    const status = await alice.get(`/v1/files/uploads/${id}`)
    expect(status.body).toMatchObject({ state: 'uploading', total_chunks: 4, received_chunks: [0, 2, 3], missing_chunks: [1] })
    const early = await alice.post(`/v1/files/uploads/${id}/complete`)
    expect(early.status).toBe(409)
    expect(early.body).toMatchObject({ code: 'upload_incomplete' })
    expect(early.body.detail).toContain('1')

    expect((await putChunk(alice, id, 1, chunkOf(data, 1))).status).toBe(200)
    expect((await alice.get(`/v1/files/uploads/${id}`)).body).toMatchObject({ missing_chunks: [], bytes_received: data.length })
    const done = await alice.post(`/v1/files/uploads/${id}/complete`)
    expect(done.status).toBe(200)
    expect(done.body).toMatchObject({ file_id: id, size_bytes: data.length, mimetype: 'image/tiff', checksum: `sha256:${sha256(data)}` })
    expect((await alice.post(`/v1/files/uploads/${id}/complete`)).body.checksum, 'complete is idempotent').toBe(done.body.checksum)
    const link = await alice.get(`/v1/files/${id}/download`)
    expect(await fetchHashed(link.body.download_url)).toMatchObject({ bytes: data.length, sha256: sha256(data) })
  })

  it('takes chunks in parallel and chunks sent again, with the right hash either way', async () => {
    const alice = await newUser(server.url)
    const data = randomData(6 * CHUNK + 99)
    const { upload_id: id, total_chunks: total } = (await alice.post('/v1/files/initiate', { filename: 'p.bin', size: data.length })).body
    // A wrong version of chunk 2 first, replaced below.
    await putChunk(alice, id, 2, randomData(CHUNK))
    const replies = await Promise.all(Array.from({ length: total as number }, (_, i) => putChunk(alice, id, i, chunkOf(data, i))))
    expect(replies.map((r) => r.status)).toEqual(Array(total).fill(200))
    const done = await alice.post(`/v1/files/uploads/${id}/complete`, { parts: [] })
    expect(done.body.checksum).toBe(`sha256:${sha256(data)}`)
  })

  it('streams chunks sent without a Content-Length, cutting off one that runs long', async () => {
    const alice = await newUser(server.url)
    const data = randomData(CHUNK + 10)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 's.bin', size: data.length })).body
    const tooLong = await putChunk(alice, id, 1, Readable.from([data.subarray(CHUNK), randomData(MiB)]))
    expect(tooLong.status).toBe(413)
    expect((await alice.get(`/v1/files/uploads/${id}`)).body.received_chunks).toEqual([])
    expect((await putChunk(alice, id, 0, Readable.from([chunkOf(data, 0)]))).status).toBe(200)
    expect((await putChunk(alice, id, 1, Readable.from([chunkOf(data, 1)]))).status).toBe(200)
    expect((await alice.post(`/v1/files/uploads/${id}/complete`)).body.checksum).toBe(`sha256:${sha256(data)}`)
  })

  it('refuses a file whose SHA-256 is not the declared one, and keeps nothing', async () => {
    const alice = await newUser(server.url)
    const data = randomData(CHUNK + 5)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 'x', size: data.length, sha256: `sha256:${sha256('other')}` })).body
    await putChunk(alice, id, 0, chunkOf(data, 0))
    await putChunk(alice, id, 1, chunkOf(data, 1))
    const done = await alice.post(`/v1/files/uploads/${id}/complete`)
    expect(done.status).toBe(422)
    expect(done.body).toMatchObject({ code: 'checksum_mismatch', field: 'sha256' })
    expect(done.body.detail).toContain(sha256(data))
    expect((await alice.get(`/v1/files/uploads/${id}`)).status).toBe(404)
    expect((await alice.get(`/v1/files/${id}`)).status).toBe(404)
  })

  it('completes empty files without any chunk', async () => {
    const alice = await newUser(server.url)
    const started = await alice.post('/v1/files/initiate', { filename: 'empty', size: 0 })
    expect(started.body.total_chunks).toBe(0)
    const done = await alice.post(`/v1/files/uploads/${started.body.upload_id}/complete`)
    expect(done.body).toMatchObject({ size_bytes: 0, checksum: `sha256:${sha256('')}` })
  })

  it('enforces the rules of an upload: sizes, indexes, owner, protocol, abort', async () => {
    const alice = await newUser(server.url)
    const eve = await newUser(server.url)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 'r', size: CHUNK + 10 })).body
    const short = await putChunk(alice, id, 0, randomData(10))
    expect(short.body).toMatchObject({ code: 'length_mismatch', field: 'Content-Length' })
    expect((await putChunk(alice, id, 1, randomData(11))).status).toBe(413)
    expect((await putChunk(alice, id, 2, randomData(10))).body).toMatchObject({ status: 400, field: 'index' })
    expect((await putChunk(eve, id, 1, randomData(10))).status).toBe(404)
    expect((await eve.get(`/v1/files/uploads/${id}`)).status).toBe(404)
    expect((await eve.post(`/v1/files/uploads/${id}/complete`)).status).toBe(404)
    expect((await putChunk(alice, randomUUID(), 0, randomData(10))).status).toBe(404)
    const bad = [
      [{ filename: '', size: 1 }, 'filename'],
      [{ filename: 'a', size: -1 }, 'size'],
      [{ filename: 'a', size: 1.5 }, 'size'],
      [{ filename: 'a', size: 1, sha256: 'xyz' }, 'sha256'],
      [{ filename: 'a', size: 1, conversation_id: 'nope' }, 'conversation_id'],
      [{ filename: 'a', size: 1, colour: 'red' }, 'colour'],
    ] as const
    for (const [body, field] of bad) {
      const reply = await alice.post('/v1/files/initiate', body)
      expect(reply.status, JSON.stringify(body)).toBe(400)
      expect(reply.body.field, JSON.stringify(body)).toBe(field)
    }
    // A tus upload continues with tus only.
    const viaTus = await fetch(`${server.url}/v1/uploads`, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${alice.token}`, 'upload-length': '10' },
    })
    const tusId = viaTus.headers.get('location')!.split('/').pop()!
    expect((await putChunk(alice, tusId, 0, randomData(10))).body).toMatchObject({ status: 400, field: 'upload_id' })
    // Abort.
    expect((await alice.delete(`/v1/files/uploads/${id}`)).status).toBe(204)
    expect((await alice.get(`/v1/files/uploads/${id}`)).status).toBe(404)
    expect((await alice.delete(`/v1/files/uploads/${id}`)).status).toBe(404)
    // A finished tus upload reports itself complete here too.
    const { fileId } = await tusUpload(server.url, alice.token!, randomData(100)).done
    expect((await alice.get(`/v1/files/uploads/${fileId}`)).body).toMatchObject({ state: 'ready', missing_chunks: [] })
  })
})
