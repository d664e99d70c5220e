import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { callPlatform, retryAfterMs } from './http-call.js'

describe('platform HTTP calls', () => {
  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000)
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000)
    expect(retryAfterMs(new Headers())).toBeUndefined()
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined()
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

  it('lets the caller’s own cancellation through as it is', async () => {
    const failure = await callPlatform({ method: 'GET', url: 'http://127.0.0.1:9/', timeoutMs: 5000, signal: AbortSignal.abort() }).catch((e: unknown) => e)
    expect(failure).toMatchObject({ name: 'AbortError' })
  })
})
