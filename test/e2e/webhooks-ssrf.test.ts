/**
 * The SSRF guard end to end: webhook URLs that point at, or resolve to, loopback, private,
 * link-local or metadata addresses are refused unless the operator allows those networks.
 * (Refusal at connection time, DNS rebinding, is covered by src/workers/webhook-http.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { startReceiver } from '../support/receiver.js'

describe('SSRF guard', () => {
  let guarded: TestPlatform
  let lenient: TestPlatform
  beforeAll(async () => {
    guarded = await startTestPlatform() // the default configuration: no private network allowed
    lenient = await startTestPlatform({ CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' })
  })
  afterAll(async () => {
    await guarded.stop()
    await lenient.stop()
  })

  it('refuses URLs that point at loopback, private, link-local or metadata addresses', async () => {
    const alice = await newUser(guarded.url, 'alice')
    const hooks = await startReceiver()
    onTestFinished(() => hooks.close())
    const refused = [
      hooks.url,
      'http://localhost:8080/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0.0.0.0/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'https://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[fe80::1]/hook',
    ]
    for (const url of refused) {
      const reply = await alice.post('/v1/webhooks', { url, events: ['*'] })
      expect(reply.status, url).toBe(400)
      expect(reply.body, url).toMatchObject({ code: 'url_not_allowed', field: 'url' })
    }
    const nowhere = await alice.post('/v1/webhooks', { url: 'https://no-such-host.invalid/hook', events: ['*'] })
    expect(nowhere.body).toMatchObject({ status: 400, code: 'url_unresolvable', field: 'url' })
    expect((await alice.get('/v1/webhooks')).body.webhooks).toEqual([])
  })

  it('keeps refusing metadata addresses when loopback is allowed', async () => {
    const alice = await newUser(lenient.url, 'alice')
    expect((await alice.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] })).status).toBe(201)
    const metadata = await alice.post('/v1/webhooks', { url: 'http://169.254.169.254/', events: ['*'] })
    expect(metadata.body).toMatchObject({ status: 400, code: 'url_not_allowed', field: 'url' })
    expect(metadata.body.detail).toContain('metadata')
  })
})
