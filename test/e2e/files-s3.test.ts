/**
 * Files in the scaled-out shape: the platform on S3 (a real S3-protocol server on loopback,
 * s3rver), over real HTTP — tus, chunked with parts sent straight to S3 by presigned URL, simple
 * uploads, and S3 presigned downloads with Range and expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { fetchHashed, MiB, putChunk, randomData, sha256, simpleUpload, tusUpload } from '../support/files.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { startS3, type TestS3 } from '../support/s3.js'

const CHUNK = 5 * MiB
const PREFIX = 'e2e'
let s3: TestS3
let server: TestPlatform

beforeAll(async () => {
  s3 = await startS3()
  server = await startTestPlatform({ ...s3.env(PREFIX), CHAT4ALL_UPLOAD_CHUNK_BYTES: String(CHUNK), CHAT4ALL_DOWNLOAD_URL_TTL: '2' })
})
afterAll(async () => {
  await server?.stop()
  await s3?.stop()
})

/** s3rver serves unsigned requests, which lets the test look at the bucket directly. */
const objectExists = async (fileId: string) =>
  (await fetch(`${s3.endpoint}/${s3.bucket}/${PREFIX}/files/${fileId.slice(0, 2)}/${fileId}`, { method: 'HEAD' })).status === 200

describe('files on S3', () => {
  it('takes tus uploads and hands out S3 presigned downloads with Range and disposition', async () => {
    const alice = await newUser(server.url)
    const data = randomData(13 * MiB + 3)
    const { fileId } = await tusUpload(server.url, alice.token!, data, {
      chunkSize: 4 * MiB,
      metadata: { filename: 'résumé.pdf', filetype: 'application/pdf' },
    }).done
    expect(await objectExists(fileId)).toBe(true)
    const link = await alice.get(`/v1/files/${fileId}/download`)
    expect(link.body).toMatchObject({ filename: 'résumé.pdf', size_bytes: data.length, checksum: `sha256:${sha256(data)}`, expires_in: 2 })
    expect(link.body.download_url.startsWith(s3.endpoint), 'the bytes come from S3, not the API').toBe(true)
    const whole = await fetchHashed(link.body.download_url)
    expect(whole).toMatchObject({ status: 200, bytes: data.length, sha256: sha256(data) })
    expect(whole.headers.get('content-type')).toBe('application/pdf')
    expect(whole.headers.get('content-disposition')).toContain("filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")
    const range = await fetch(link.body.download_url, { headers: { range: 'bytes=5242870-5242889' } })
    expect(range.status).toBe(206)
    expect(Buffer.from(await range.arrayBuffer())).toEqual(data.subarray(5242870, 5242890))
  })

  it('lets chunks go straight to S3 with presigned part URLs and completes with their ETags', async () => {
    const alice = await newUser(server.url)
    const data = randomData(2 * CHUNK + 77)
    const started = await alice.post('/v1/files/initiate', { filename: 'direct.bin', size: data.length, sha256: sha256(data) })
    expect(started.status).toBe(201)
    const { upload_id: id, part_urls: partUrls } = started.body as { upload_id: string; part_urls: { index: number; url: string }[] }
    expect(partUrls.map((p) => p.index)).toEqual([0, 1, 2])
    // Chunk 0 through the API, chunks 1 and 2 directly to S3.
    expect((await putChunk(alice, id, 0, data.subarray(0, CHUNK))).status).toBe(200)
    const direct = []
    for (const index of [1, 2]) {
      const put = await fetch(partUrls[index]!.url, { method: 'PUT', body: data.subarray(index * CHUNK, (index + 1) * CHUNK) })
      expect(put.status).toBe(200)
      direct.push({ index, etag: put.headers.get('etag')! })
    }
    expect((await alice.get(`/v1/files/uploads/${id}`)).body.missing_chunks, 'the API cannot see direct parts').toEqual([1, 2])
    const done = await alice.post(`/v1/files/uploads/${id}/complete`, { parts: direct })
    expect(done.status).toBe(200)
    expect(done.body.checksum).toBe(`sha256:${sha256(data)}`)
    const link = await alice.get(`/v1/files/${id}/download`)
    expect((await fetchHashed(link.body.download_url)).sha256).toBe(sha256(data))
  })

  it('discards an upload whose bytes fail the declared SHA-256', async () => {
    const alice = await newUser(server.url)
    const data = randomData(CHUNK + 1)
    const { upload_id: id } = (await alice.post('/v1/files/initiate', { filename: 'x', size: data.length, sha256: sha256('no') })).body
    await putChunk(alice, id, 0, data.subarray(0, CHUNK))
    await putChunk(alice, id, 1, data.subarray(CHUNK))
    expect((await alice.post(`/v1/files/uploads/${id}/complete`)).status).toBe(422)
    expect(await objectExists(id)).toBe(false)
  })

  it('streams simple uploads into S3, shares them by attachment, and lets their URLs expire', async () => {
    const alice = await newUser(server.url)
    const bob = await newUser(server.url)
    const data = randomData(9 * MiB + 1)
    const uploaded = await simpleUpload(alice, data, 'movie.webm', 'video/webm')
    expect(uploaded.body).toMatchObject({ size_bytes: data.length, checksum: `sha256:${sha256(data)}` })
    expect((await bob.get(`/v1/files/${uploaded.body.file_id}`)).status).toBe(404)
    const sent = await alice.post('/v1/messages', { to: bob.username, payload: { type: 'file', file_id: uploaded.body.file_id } })
    expect(sent.status).toBe(202)
    const link = await bob.get(`/v1/files/${uploaded.body.file_id}/download`)
    expect((await fetchHashed(link.body.download_url)).sha256).toBe(sha256(data))
    await new Promise((resolve) => setTimeout(resolve, 3100))
    expect((await fetch(link.body.download_url)).status).toBe(403)
  })
})
