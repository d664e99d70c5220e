import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { callPlatform, retryAfterMs } from './http-call.js'

describe('platform HTTP calls', () => {
  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000)
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6000)
    expect(retryAfterMs({})).toBeUndefined()
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined()
  })

  it('calls a refused connection a network failure that never reached the platform', async () => {
    // A port that was just free: nothing listens there.
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    await new Promise((resolve) => server.close(resolve))
    const failure = await callPlatform({ method: 'GET', url: `http://127.0.0.1:${port}/`, timeoutMs: 5000 }).catch((e: unknown) => e)
    expect(failure).toMatchObject({ name: 'DeliveryError', reason: 'network', permanent: false, outcomeUnknown: false })
  })

  it('calls a platform that never answers a timeout whose outcome is unknown', async () => {
    // Accepts the connection and never answers: the request may have reached the platform.
    const silent = createServer(() => undefined).listen(0, '127.0.0.1')
    await new Promise((resolve) => silent.once('listening', resolve))
    const { port } = silent.address() as { port: number }
    try {
      const failure = await callPlatform({ method: 'POST', url: `http://127.0.0.1:${port}/`, json: { a: 1 }, timeoutMs: 200 }).catch((e: unknown) => e)
      expect(failure).toMatchObject({ name: 'DeliveryError', reason: 'timeout', permanent: false, outcomeUnknown: true })
    } finally {
      silent.close()
    }
  })

  it('lets the caller’s own cancellation through as it is', async () => {
    const failure = await callPlatform({ method: 'GET', url: 'http://127.0.0.1:9/', timeoutMs: 5000, signal: AbortSignal.abort() }).catch((e: unknown) => e)
    expect(failure).toMatchObject({ name: 'AbortError' })
  })
})
