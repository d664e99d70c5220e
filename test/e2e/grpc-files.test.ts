/**
 * FileService against a started platform: a client-stream upload interrupted mid-file and resumed
 * at the server's offset, its bytes checked by SHA-256 after download, plus the refusals a client
 * can meet (short stream, wrong offset, a file over the limit, a file not ready yet).
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, failure, grpc, grpcClients, grpcUser, unary, type GrpcClients } from '../support/grpc.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const MiB = 1024 * 1024
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

interface UploadCall {
  readonly call: grpc.ClientWritableStream<unknown>
  readonly response: Promise<any>
  /** The `upload-id` the server announces in its initial metadata. */
  readonly uploadId: Promise<string>
}

function openUpload(clients: GrpcClients, token: string): UploadCall {
  let call!: grpc.ClientWritableStream<unknown>
  const response = new Promise<any>((resolve, reject) => {
    call = clients.files.UploadFile(bearer(token), (error: grpc.ServiceError | null, value: unknown) => (error ? reject(error) : resolve(value)))
  })
  response.catch(() => undefined) // inspected by the test where it matters
  const uploadId = new Promise<string>((resolve) => call.on('metadata', (metadata: grpc.Metadata) => resolve(String(metadata.get('upload-id')[0]))))
  return { call, response, uploadId }
}

/** Writes `data` as chunk messages of 256 KiB, honouring the stream's backpressure. */
async function writeChunks(call: grpc.ClientWritableStream<unknown>, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; at += 256 * 1024) {
    if (!call.write({ chunk: data.subarray(at, at + 256 * 1024) })) await new Promise((resolve) => call.once('drain', resolve))
  }
}

describe('gRPC FileService', () => {
  let platform: TestPlatform
  let clients: GrpcClients

  beforeAll(async () => {
    platform = await startTestPlatform({ CHAT4ALL_UPLOAD_CHUNK_BYTES: String(5 * MiB), CHAT4ALL_MAX_FILE_BYTES: String(64 * MiB) })
    clients = grpcClients(platform.platform.grpcAddress!)
  })
  afterAll(async () => {
    clients?.close()
    await platform?.stop()
  })

  it('resumes an interrupted upload at the server offset and keeps every byte', async () => {
    const alice = await grpcUser(clients)
    const data = randomBytes(12 * MiB + 12_345)
    const first = openUpload(clients, alice.token)
    first.call.write({ start: { filename: 'video.bin', size_bytes: data.length, content_type: 'application/octet-stream', sha256: sha256(data) } })
    const uploadId = await first.uploadId
    await writeChunks(first.call, data.subarray(0, 7 * MiB))
    // Interrupted once the server has committed its first chunk (5 MiB), so the resume starts mid-file.
    let offset = 0
    const deadline = Date.now() + 20_000
    while (offset === 0) {
      if (Date.now() > deadline) throw new Error('the first chunk was never committed')
      const { file } = await unary(clients.files, 'GetFile', { file_id: uploadId }, alice.token)
      expect(file.state).toBe('FILE_STATE_UPLOADING')
      offset = file.upload.offset ?? 0
      if (offset === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    first.call.cancel()
    expect((await failure(first.response)).code).toBe(grpc.status.CANCELLED)
    expect(offset, 'committed whole chunks only').toBe(5 * MiB)

    const notReady = await failure(unary(clients.files, 'GetDownloadUrl', { file_id: uploadId }, alice.token))
    expect([notReady.code, notReady.metadata.get('problem-code')[0]]).toEqual([grpc.status.FAILED_PRECONDITION, 'file_not_ready'])

    // The interrupted call may still hold the upload for a moment: a client retries an ABORTED (upload_locked) resume.
    let done: any
    for (;;) {
      const { file } = await unary(clients.files, 'GetFile', { file_id: uploadId }, alice.token)
      const resume = openUpload(clients, alice.token)
      resume.call.write({ resume: { upload_id: uploadId, offset: file.upload.offset } })
      await writeChunks(resume.call, data.subarray(file.upload.offset))
      resume.call.end()
      try {
        done = await resume.response
        break
      } catch (error) {
        if ((error as grpc.ServiceError).code !== grpc.status.ABORTED || Date.now() > deadline) throw error
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    expect(done.file).toMatchObject({ file_id: uploadId, state: 'FILE_STATE_READY', size_bytes: data.length, checksum: `sha256:${sha256(data)}` })

    const link = await unary(clients.files, 'GetDownloadUrl', { file_id: uploadId }, alice.token)
    expect(link.file.file_id).toBe(uploadId)
    const downloaded = Buffer.from(await (await fetch(link.download_url)).arrayBuffer())
    expect(downloaded.length).toBe(data.length)
    expect(sha256(downloaded), 'the downloaded bytes are the uploaded ones').toBe(sha256(data))

    const finished = openUpload(clients, alice.token)
    finished.call.write({ resume: { upload_id: uploadId, offset: 0 } })
    finished.call.end()
    const mismatch = await failure(finished.response)
    expect([mismatch.code, mismatch.metadata.get('problem-code')[0]]).toEqual([grpc.status.FAILED_PRECONDITION, 'upload_offset_mismatch'])
  })

  it('attaches an uploaded file to a message sent over gRPC', async () => {
    const [alice, bob] = await Promise.all([grpcUser(clients), grpcUser(clients)])
    const { conversation } = await unary(clients.conversations, 'CreateConversation', { type: 'CONVERSATION_TYPE_PRIVATE', members: [bob.userId] }, alice.token)
    const data = Buffer.from('a small file, uploaded in one message')
    const upload = openUpload(clients, alice.token)
    upload.call.write({ start: { filename: 'note.txt', size_bytes: data.length, content_type: 'text/plain', conversation_id: conversation.conversation_id } })
    upload.call.write({ chunk: data })
    upload.call.end()
    const { file } = await upload.response
    expect(file).toMatchObject({ state: 'FILE_STATE_READY', mimetype: 'text/plain', conversation_id: conversation.conversation_id })
    const sent = await unary(
      clients.messages,
      'SendMessage',
      { conversation_id: conversation.conversation_id, payload: { type: 'PAYLOAD_TYPE_FILE', file_id: file.file_id, text: 'see this' } },
      alice.token,
    )
    const { message } = await unary(clients.messages, 'GetMessage', { message_id: sent.message_id }, bob.token)
    expect(message.payload).toMatchObject({ type: 'PAYLOAD_TYPE_FILE', file_id: file.file_id, text: 'see this', file: { filename: 'note.txt', checksum: `sha256:${sha256(data)}` } })
    const { file: shared } = await unary(clients.files, 'GetFile', { file_id: file.file_id }, bob.token)
    expect(shared.file_id, 'members of the conversation see the file').toBe(file.file_id)
  })

  it('refuses a stream that ends early, a file over the limit and an upload that does not start', async () => {
    const alice = await grpcUser(clients)
    const short = openUpload(clients, alice.token)
    short.call.write({ start: { filename: 'short.bin', size_bytes: 10 } })
    short.call.write({ chunk: Buffer.from('abcd') })
    short.call.end()
    const ended = await failure(short.response)
    expect([ended.code, ended.metadata.get('problem-code')[0], ended.metadata.get('problem-field')[0]]).toEqual([
      grpc.status.INVALID_ARGUMENT,
      'length_mismatch',
      'chunk',
    ])

    const huge = openUpload(clients, alice.token)
    huge.call.write({ start: { filename: 'huge.bin', size_bytes: 65 * MiB } })
    huge.call.end()
    const tooLarge = await failure(huge.response)
    expect([tooLarge.code, tooLarge.metadata.get('problem-code')[0], tooLarge.metadata.get('problem-field')[0]]).toEqual([
      grpc.status.INVALID_ARGUMENT,
      'file_too_large',
      'start.size_bytes',
    ])

    const chunkFirst = openUpload(clients, alice.token)
    chunkFirst.call.write({ chunk: Buffer.from('no start') })
    chunkFirst.call.end()
    expect((await failure(chunkFirst.response)).code).toBe(grpc.status.INVALID_ARGUMENT)

    const anonymous = openUpload(clients, 'not-a-token')
    anonymous.call.end()
    expect((await failure(anonymous.response)).code).toBe(grpc.status.UNAUTHENTICATED)
  })
})
