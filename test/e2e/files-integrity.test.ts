/**
 * Chunked uploads whose chunks are rewritten, raced against `complete`, or claimed without being
 * sent: whatever happens, a ready file's bytes are the bytes its checksum names.
 */
import { PassThrough, Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { fetchHashed, MiB, putChunk, randomData, sha256 } from '../support/files.js'
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

async function downloaded(client: Awaited<ReturnType<typeof newUser>>, id: string) {
  const link = await client.get(`/v1/files/${id}/download`)
  expect(link.status).toBe(200)
  return fetchHashed(link.body.download_url)
}

describe('chunked upload integrity', () => {
  it('does not vouch for chunk 0 with a stale hash after a refused rewrite of it', async () => {
    const alice = await newUser(server.url)
    const data = randomData(2 * CHUNK)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 'a.bin', size: data.length })).body
    expect((await putChunk(alice, id, 0, chunkOf(data, 0))).status).toBe(200)
    expect((await putChunk(alice, id, 1, chunkOf(data, 1))).status).toBe(200)
    // Chunk 0 again, other bytes, running long (no Content-Length): refused once its bytes are in.
    const refused = await putChunk(alice, id, 0, Readable.from([randomData(CHUNK), randomData(1024)]))
    expect(refused.status).toBe(413)
    // Part of the refused bytes may be in storage: the chunk counts as missing until sent whole.
    const status = await alice.get(`/v1/files/uploads/${id}`)
    expect(status.body.missing_chunks).toEqual([0])
    expect((await alice.post(`/v1/files/uploads/${id}/complete`)).status).toBe(409)
    expect((await putChunk(alice, id, 0, chunkOf(data, 0))).status).toBe(200)
    const done = await alice.post(`/v1/files/uploads/${id}/complete`)
    expect(done.status).toBe(200)
    const got = await downloaded(alice, id)
    expect(got.bytes).toBe(data.length)
    expect(`sha256:${got.sha256}`, 'the checksum names the bytes served').toBe(done.body.checksum)
    expect(got.sha256, 'and those are the bytes the client meant').toBe(sha256(data))
  })

  it('does not let a chunk land in the file after complete joined and hashed it', async () => {
    const alice = await newUser(server.url)
    const data = randomData(2 * CHUNK)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 'b.bin', size: data.length })).body
    expect((await putChunk(alice, id, 0, chunkOf(data, 0))).status).toBe(200)
    expect((await putChunk(alice, id, 1, chunkOf(data, 1))).status).toBe(200)
    // A slow rewrite of chunk 0 is under way when complete arrives.
    const other = randomData(CHUNK)
    const body = new PassThrough()
    const rewrite = putChunk(alice, id, 0, body, { 'content-length': String(CHUNK) })
    body.write(other.subarray(0, 64 * 1024))
    await sleep(300)
    const during = await alice.post(`/v1/files/uploads/${id}/complete`)
    body.end(other.subarray(64 * 1024))
    const rewritten = await rewrite
    if (during.status === 200) {
      // The rewrite must then have been refused, and the file left as it was joined.
      expect(rewritten.status).not.toBe(200)
      const got = await downloaded(alice, id)
      expect(`sha256:${got.sha256}`).toBe(during.body.checksum)
    } else {
      expect(during.status).toBe(423)
      expect(during.body).toMatchObject({ code: 'upload_locked' })
      expect(rewritten.status).toBe(200)
    }
    const done = await alice.post(`/v1/files/uploads/${id}/complete`)
    expect(done.status).toBe(200)
    const got = await downloaded(alice, id)
    expect(got.bytes).toBe(data.length)
    expect(`sha256:${got.sha256}`, 'the checksum names the bytes served').toBe(done.body.checksum)
    expect(done.body.checksum).toBe(`sha256:${sha256(Buffer.concat([other, chunkOf(data, 1)]))}`)
  })

  it('answers a chunk whose streamed body ends short with 400 length_mismatch naming the body', async () => {
    const alice = await newUser(server.url)
    const data = randomData(CHUNK + 10)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 'd.bin', size: data.length })).body
    const short = await putChunk(alice, id, 0, Readable.from([chunkOf(data, 0).subarray(0, 1000)]))
    expect(short.status).toBe(400)
    expect(short.body).toMatchObject({ code: 'length_mismatch', field: 'body' })
    expect((await alice.get(`/v1/files/uploads/${id}`)).body.missing_chunks).toEqual([0, 1])
  })

  it('refuses to complete with chunks that were only named, never sent (file store)', async () => {
    const alice = await newUser(server.url)
    const data = randomData(2 * CHUNK)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 'c.bin', size: data.length })).body
    expect((await putChunk(alice, id, 0, chunkOf(data, 0))).status).toBe(200)
    const claimed = await alice.post(`/v1/files/uploads/${id}/complete`, { parts: [{ index: 1, etag: `p2-${CHUNK}` }] })
    expect(claimed.status).toBe(409)
    expect(claimed.body).toMatchObject({ code: 'upload_incomplete' })
    expect((await alice.get(`/v1/files/uploads/${id}`)).body.missing_chunks).toEqual([1])
  })
})
