/**
 * What lets grpcurl and generated clients find their way: server reflection (used here through the
 * reflection proto, as grpcurl does) and the standard health service, which says SERVING while the
 * platform is ready and NOT_SERVING once it is shutting down.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import descriptor from 'protobufjs/ext/descriptor/index.js'
import { bearer, grpc, grpcClients, grpcUser, Subscription, unary, type GrpcClients } from '../support/grpc.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'

/** One reflection request on a ServerReflectionInfo stream, as grpcurl sends them. */
function reflect(clients: GrpcClients, request: Record<string, unknown>): Promise<any> {
  return new Promise((resolve, reject) => {
    const call = clients.reflection.ServerReflectionInfo(bearer(undefined))
    call.on('data', (response: any) => {
      resolve(response)
      call.end()
    })
    call.on('error', reject)
    call.write(request)
  })
}

const apiServices = [
  'chat4all.v1.AuthService',
  'chat4all.v1.ConversationService',
  'chat4all.v1.EventService',
  'chat4all.v1.FileService',
  'chat4all.v1.MessageService',
]

describe('gRPC discovery', () => {
  let platform: TestPlatform
  let clients: GrpcClients

  beforeAll(async () => {
    platform = await startTestPlatform()
    clients = grpcClients(platform.platform.grpcAddress!)
  })
  afterAll(async () => {
    clients?.close()
    await platform?.stop()
  })

  it('lists every service through server reflection (grpcurl list)', async () => {
    const response = await reflect(clients, { list_services: '' })
    const names = response.list_services_response.service.map((s: { name: string }) => s.name).sort()
    expect(names).toEqual([...apiServices, 'grpc.health.v1.Health'].sort())
  })

  it('describes a service with its methods (grpcurl describe)', async () => {
    const response = await reflect(clients, { file_containing_symbol: 'chat4all.v1.MessageService' })
    const files = response.file_descriptor_response.file_descriptor_proto.map((bytes: Buffer) =>
      (descriptor as any).FileDescriptorProto.decode(bytes),
    )
    // @grpc/reflection serves one synthesised file per package (chat4all_v1.proto) with its dependencies.
    const defining = files.find((file: any) => file.package === 'chat4all.v1' && file.service.some((s: any) => s.name === 'MessageService'))
    expect(defining, 'a file defining the service').toBeDefined()
    expect(defining.service.map((s: any) => s.name).sort()).toEqual(apiServices.map((name) => name.split('.').pop()).sort())
    const service = defining.service.find((s: any) => s.name === 'MessageService')
    expect(service.method.map((m: any) => m.name)).toEqual(['SendMessage', 'GetMessage', 'ListMessages', 'MarkRead', 'MarkReadUpTo'])
    expect(service.method.find((m: any) => m.name === 'SendMessage')).toMatchObject({
      inputType: '.chat4all.v1.SendMessageRequest',
      outputType: '.chat4all.v1.SendMessageResponse',
    })
  })

  it('answers the standard health check: SERVING for the server and each service', async () => {
    expect(await unary(clients.health, 'Check', { service: '' })).toEqual({ status: 'SERVING' })
    for (const service of apiServices) expect(await unary(clients.health, 'Check', { service })).toEqual({ status: 'SERVING' })
    const unknown = await unary(clients.health, 'Check', { service: 'no.such.Service' }).catch((error: grpc.ServiceError) => error.code)
    expect(unknown).toBe(grpc.status.NOT_FOUND)
  })
})

describe('gRPC health while shutting down', () => {
  it('turns NOT_SERVING once the platform stops, and ends live subscriptions with UNAVAILABLE', async () => {
    const platform = await startTestPlatform()
    const clients = grpcClients(platform.platform.grpcAddress!)
    const user = await grpcUser(clients)
    const subscription = Subscription.open(clients, user.token)
    await subscription.waitFor((r) => r.type === 'ready', 'subscribed')
    const statuses: string[] = []
    const watch = clients.health.Watch({ service: '' })
    const notServing = new Promise<void>((resolve) =>
      watch.on('data', (response: { status: string }) => {
        statuses.push(response.status)
        if (response.status === 'NOT_SERVING') {
          watch.cancel()
          resolve()
        }
      }),
    )
    watch.on('error', () => undefined) // cancelled by this test
    await new Promise<void>((resolve) => watch.once('data', () => resolve()))
    const stopped = platform.stop()
    await notServing
    await stopped
    clients.close()
    expect(statuses).toEqual(['SERVING', 'NOT_SERVING'])
    const ended = await subscription.ended
    expect([ended.code, ended.metadata.get('stream-close-code')[0]], 'reconnect elsewhere and resume').toEqual([grpc.status.UNAVAILABLE, '1001'])
  })
})

describe('gRPC over TLS', () => {
  it('speaks TLS with the certificate of the HTTP API', async () => {
    const dir = tempDir('chat4all-grpc-tls-')
    const cert = join(dir.path, 'cert.pem')
    const key = join(dir.path, 'key.pem')
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' })
    const platform = await startTestPlatform({ CHAT4ALL_TLS_CERT: cert, CHAT4ALL_TLS_KEY: key })
    const secure = grpcClients(platform.platform.grpcAddress!, grpc.credentials.createSsl(readFileSync(cert)))
    const plain = grpcClients(platform.platform.grpcAddress!)
    try {
      expect(await unary(secure.health, 'Check', { service: '' })).toEqual({ status: 'SERVING' })
      const refused = await unary(plain.health, 'Check', { service: '' }, undefined, { deadline: Date.now() + 5_000 }).catch((error: grpc.ServiceError) => error.code)
      expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED], 'a plaintext client is not served').toContain(refused)
    } finally {
      secure.close()
      plain.close()
      await platform.stop()
      dir.remove()
    }
  })
})
