/**
 * Webhook deliveries are durable jobs: stop the platform (cleanly or with SIGKILL) while an endpoint
 * is failing, start it again on the same data, and every event still arrives, once, in order.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { natsAvailable, natsBusOfItsOwn } from '../support/nats.js'
import { spawnServer, tempDir } from '../support/platform.js'
import { eventually, startReceiver } from '../support/receiver.js'

const COUNT = 10
const withNats = await natsAvailable()

describe('webhooks across a restart', () => {
  // `api` runs the first process without relay and workers (on NATS: the memory bus refuses a split
  // of roles): its events wait in the outbox, not yet deliveries.
  it.each([
    ['SIGTERM', 'all'],
    ['SIGKILL', 'all'],
    ...(withNats ? ([['SIGTERM', 'api']] as const) : []),
  ] as const)('loses no pending delivery (%s, first process role %s)', async (signal, role) => {
    const dir = tempDir('chat4all-webhooks-')
    onTestFinished(() => dir.remove())
    const nats = role === 'api' ? natsBusOfItsOwn() : undefined
    if (nats) onTestFinished(() => nats.cleanup())
    const hooks = await startReceiver(() => 503)
    onTestFinished(() => hooks.close())
    const env = {
      CHAT4ALL_DATA_DIR: dir.path,
      CHAT4ALL_PORT: '0',
      CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
      CHAT4ALL_WEBHOOK_RETRY_BASE_MS: '100',
      CHAT4ALL_WEBHOOK_RETRY_CAP_MS: '300',
      CHAT4ALL_WEBHOOK_MAX_ATTEMPTS: '100',
      CHAT4ALL_WEBHOOK_TIMEOUT_MS: '1000',
      ...(nats ? { CHAT4ALL_BUS: nats.bus } : {}),
    }
    const first = await spawnServer(env, ['--role', role])
    onTestFinished(() => void first.child.kill('SIGKILL'))
    const alice = await newUser(first.url, 'alice')
    const bob = await newUser(first.url, 'bob')
    const webhook = await alice.post('/v1/webhooks', { url: hooks.url, events: ['message.created'] })
    expect(webhook.status).toBe(201)
    for (let i = 1; i <= COUNT; i++) {
      const sent = await bob.post('/v1/messages', { to: alice.username, payload: { type: 'text', text: `m${i}` } })
      expect(sent.status).toBe(202)
    }
    if (role === 'all') {
      await eventually('every event queued and the endpoint failing', async () => {
        const log = await alice.get(`/v1/webhooks/${webhook.body.webhook_id}/deliveries?limit=100`)
        return log.body.deliveries.length === COUNT && hooks.requests.length >= 2 ? true : undefined
      })
    }
    first.child.kill(signal)
    expect(await first.exited).toBe(signal === 'SIGTERM' ? 0 : 'SIGKILL')
    const seenBefore = hooks.requests.length
    hooks.respond(() => 200)

    const second = await spawnServer(env)
    onTestFinished(async () => {
      second.child.kill('SIGTERM')
      await second.exited
    })
    const delivered = await eventually('every event after the restart', () =>
      hooks.delivered().length >= COUNT ? hooks.delivered() : undefined,
    )
    expect(delivered.map((r) => r.json.data['message']['seq'])).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1))
    expect(new Set(delivered.map((r) => r.json.id)).size).toBe(COUNT)
    if (role === 'all') expect(seenBefore).toBeGreaterThanOrEqual(2)
    else expect(seenBefore).toBe(0)
    // The same data dir holds the same JWT secret, so alice's token works on the new process.
    const again = new ApiClient(second.url, alice.token)
    await eventually('the log to show every delivery delivered', async () => {
      const reply = await again.get(`/v1/webhooks/${webhook.body.webhook_id}/deliveries?limit=100`)
      const deliveries = reply.body.deliveries as { status: string }[]
      return deliveries.length === COUNT && deliveries.every((d) => d.status === 'delivered') ? true : undefined
    })
  })
})
