import type { LookupAddress } from 'node:dns'
import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import { createUrlGuard, type Resolver } from './url-guard.js'

const resolver =
  (answers: Record<string, readonly string[]>): Resolver =>
  async (host) => {
    const addresses = answers[host]
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }))
  }

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(AppError)
  return (error as AppError).code
}

describe('SSRF guard', () => {
  const guard = createUrlGuard({ allowedNetworks: [] })

  it('refuses loopback, private, link-local, metadata and reserved addresses by default', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['169.254.10.1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['10.0.0.1', 'private'],
      ['172.20.1.1', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['fd12:3456::1', 'private'],
      ['64:ff9b::7f00:1', 'loopback'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['64:ff9b:0:0:0:0:7f00:1', 'loopback'],
      ['64:ff9b:1::a00:1', 'private'],
      ['::7f00:1', 'loopback'],
      ['::ffff:0:7f00:1', 'loopback'],
      ['::ffff:0:169.254.169.254', 'metadata'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
    ]
    for (const [address, reason] of cases) expect(guard.refusal(address), address).toContain(reason)
  })

  it('allows public addresses and the networks the operator allows', () => {
    for (const address of ['93.184.215.14', '2606:4700::1111', '172.32.0.1', '64:ff9b::5db8:d70e', '::ffff:0:5db8:d70e']) {
      expect(guard.refusal(address), address).toBeUndefined()
    }
    const lenient = createUrlGuard({ allowedNetworks: ['127.0.0.0/8', '::1', '10.9.0.0/16'] })
    expect(lenient.refusal('127.0.0.1')).toBeUndefined()
    expect(lenient.refusal('::1')).toBeUndefined()
    expect(lenient.refusal('10.9.8.7')).toBeUndefined()
    expect(lenient.refusal('10.8.0.1')).toContain('private')
    expect(lenient.refusal('169.254.169.254')).toContain('metadata')
  })

  it('refuses a bad allow-list at start', () => {
    expect(() => createUrlGuard({ allowedNetworks: ['127.0.0.0/33'] })).toThrow(/CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS/)
    expect(() => createUrlGuard({ allowedNetworks: ['localhost'] })).toThrow(/not an IP address/)
  })

  it('checks URLs: scheme, credentials, and every address the host resolves to', async () => {
    const dns = createUrlGuard({
      allowedNetworks: [],
      resolve: resolver({ 'ok.test': ['93.184.215.14'], 'inside.test': ['10.0.0.5'], 'mixed.test': ['93.184.215.14', '127.0.0.1'] }),
    })
    expect((await dns.checkUrl('https://ok.test/hook?x=1', 'url')).href).toBe('https://ok.test/hook?x=1')
    expect(await refusedWith(dns.checkUrl('https://inside.test/', 'url'))).toBe('url_not_allowed')
    expect(await refusedWith(dns.checkUrl('https://mixed.test/', 'url'))).toBe('url_not_allowed')
    expect(await refusedWith(dns.checkUrl('https://gone.test/', 'url'))).toBe('url_unresolvable')
    expect(await refusedWith(dns.checkUrl('http://[::1]:8080/', 'url'))).toBe('url_not_allowed')
    expect(await refusedWith(dns.checkUrl('file:///etc/passwd', 'url'))).toBe('validation_failed')
    expect(await refusedWith(dns.checkUrl('https://me:pw@ok.test/', 'url'))).toBe('validation_failed')
  })

  it('refuses at connection time a name that now resolves inside (DNS rebinding)', async () => {
    let answer = ['93.184.215.14']
    const rebinding = createUrlGuard({ allowedNetworks: [], resolve: async () => answer.map((address) => ({ address, family: 4 })) })
    await rebinding.checkUrl('https://rebind.test/', 'url')
    answer = ['169.254.169.254']
    const looked = await new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      rebinding.lookup('rebind.test', { all: true }, (error, address) => resolve({ error, address })),
    )
    expect(looked.error?.message).toContain('169.254.169.254, a cloud metadata address')
    answer = ['93.184.215.14']
    const fine = await new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
      rebinding.lookup('rebind.test', {}, (error, address, family) => resolve({ error, address, family })),
    )
    expect(fine).toEqual({ error: null, address: '93.184.215.14', family: 4 })
  })
})
