import { credentials, loadPackageDefinition, Server, ServerCredentials, type Client } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { afterAll, describe, expect, it } from 'vitest'
import { createHealth, healthProtoPath } from './health.js'

describe('gRPC health', () => {
  const server = new Server()
  afterAll(() => server.forceShutdown())

  it('follows readiness: SERVING while ready, NOT_SERVING when not, and for good once stopped', async () => {
    let ready = true
    const health = createHealth({ isReady: async () => ready, intervalMs: 60_000 })
    health.addToServer(server)
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    )
    const definition = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String })) as any
    const client: Client & Record<string, any> = new definition.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure())
    const check = (service = '') =>
      new Promise<string>((resolve, reject) => client.Check({ service }, (error: Error | null, reply: { status: string }) => (error ? reject(error) : resolve(reply.status))))

    expect(await check(), 'before the first readiness check').toBe('NOT_SERVING')
    await health.check()
    expect(await check()).toBe('SERVING')
    expect(await check('chat4all.v1.MessageService')).toBe('SERVING')
    ready = false
    await health.check()
    expect(await check()).toBe('NOT_SERVING')
    ready = true
    await health.check()
    expect(await check()).toBe('SERVING')
    health.stop()
    await health.check()
    expect(await check(), 'a stopping server never turns SERVING again').toBe('NOT_SERVING')
    client.close()
  })
})
