/**
 * @module The connector contract: one suite every Connector passes against a simulator of its
 * platform, over real HTTP on loopback. A connector's test calls `connectorContract(name, make)`;
 * what a platform lacks is read from the connector's declared capabilities, never skipped quietly.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSendGuard } from '../core/channels/send-guard.js'
import { DeliveryError, type Connector, type InboundMessage, type StatusUpdate, type WebhookRequest } from './connector.js'
import { eventually, simulatorControl, startWebhookReceiver, virtualClock, type SimulatorControl, type WebhookReceiver } from './connector-tools.contract.js'

export interface ConnectorHarness {
  /** A connector pointed at the simulator; `badCredentials` gives it a token the simulator refuses. */
  connector(options?: { readonly timeoutMs?: number; readonly badCredentials?: boolean }): Connector
  /** The simulator's base URL; its control API is under `/_sim`. */
  readonly simulatorUrl: string
  /** A contact id the simulator accepts, as the simulator's control API takes it. */
  readonly contact: string
  /** The secret to give the simulator's webhook (Telegram's `secret_token`); Meta platforms sign with the app secret. */
  readonly webhookSecret?: string
  /** The verify token the connector answers a subscription handshake with, where it has one. */
  readonly verifyToken?: string
  /** The platform's recorded webhooks: `test/fixtures/channels/<platform>/`. */
  readonly fixtures: URL
  close(): Promise<void>
}

export type ConnectorHarnessFactory = () => Promise<ConnectorHarness>

const image = { url: 'https://files.example.com/f/ocean.jpg', mimeType: 'image/jpeg' }

export function connectorContract(name: string, make: ConnectorHarnessFactory): void {
  describe(`Connector contract: ${name}`, () => {
    let harness: ConnectorHarness
    let receiver: WebhookReceiver
    let sim: SimulatorControl
    let connector: Connector
    beforeAll(async () => {
      harness = await make()
      // Handshakes are answered by the connector, as the webhook route will; other requests are recorded.
      receiver = await startWebhookReceiver((request) => (request.method === 'GET' ? connector.answerHandshake?.(request) : undefined))
      sim = simulatorControl(harness.simulatorUrl)
      connector = harness.connector()
    })
    afterAll(async () => {
      await receiver?.close()
      await harness?.close()
    })
    beforeEach(async () => {
      await sim.reset()
      await sim.setDelays(0, 0)
      await sim.setWebhook(receiver.url, harness.webhookSecret)
      receiver.clear()
    })
    const to = () => {
      const parsed = connector.addresses.parse(harness.contact)
      if (!parsed.ok) throw new Error(`the harness contact is not a valid ${name} address: ${parsed.reason}`)
      return parsed.id
    }
    const sendText = (text: string, via = connector) => via.send({ to: to(), content: { kind: 'text', text } })
    const failureOf = async (send: Promise<unknown>): Promise<DeliveryError> => {
      const error = await send.then(() => undefined, (e: unknown) => e)
      expect(error, 'the send should fail with a DeliveryError').toBeInstanceOf(DeliveryError)
      return error as DeliveryError
    }
    const inbound = (request: WebhookRequest): InboundMessage[] =>
      connector.parseWebhook(request).filter((e): e is InboundMessage => e.kind === 'message')

    it('declares an address scheme of its own channel that normalises idempotently', () => {
      expect(connector.addresses.channel).toBe(connector.channel)
      const first = connector.addresses.parse(harness.contact)
      expect(first).toMatchObject({ ok: true, sendable: true })
      if (first.ok) expect(connector.addresses.parse(first.id)).toEqual(first)
      expect(connector.addresses.parse('not an address at all!').ok).toBe(false)
    })

    it('sends a text and returns the platform’s message id, with the status acceptance proves', async () => {
      const result = await sendText('Olá from the contract')
      expect(result.platformMessageId).not.toBe('')
      expect(result.status).toBe(connector.capabilities.delivered === 'on_accept' ? 'DELIVERED' : 'SENT')
      expect(await sim.received()).toMatchObject([{ id: result.platformMessageId, type: 'text', text: 'Olá from the contract' }])
    })

    it('sends a file by link, as the kind its MIME type says', async () => {
      const result = await connector.send({ to: to(), content: { kind: 'file', ...image } })
      const [received] = await sim.received()
      expect(received).toMatchObject({ id: result.platformMessageId, link: image.url })
      expect(received?.type).not.toBe('text')
    })

    it('threads replies where the platform does, and sends them plain where it does not', async () => {
      const first = await sendText('first')
      await connector.send({ to: to(), content: { kind: 'text', text: 'second' }, replyTo: first.platformMessageId })
      const replyTo = (await sim.received())[1]?.replyTo
      expect(replyTo).toBe(connector.capabilities.replies ? first.platformMessageId : undefined)
    })

    it('implements exactly the optional methods its capabilities declare, and the platform takes them', async () => {
      const { typing, markRead, inbound } = connector.capabilities
      expect(typeof connector.sendTyping === 'function', 'sendTyping matches capabilities.typing').toBe(typing)
      expect(typeof connector.markRead === 'function', 'markRead matches capabilities.markRead').toBe(markRead)
      expect(typeof connector.poll === 'function', 'poll matches capabilities.inbound').toBe(inbound.includes('polling'))
      await connector.sendTyping?.(to())
      if (connector.markRead) {
        const { id } = await sim.contactSends(harness.contact, { text: 'read me' })
        await connector.markRead(id)
      }
    })

    it('refuses a text over the platform’s limit before calling it, permanently', async () => {
      const tooLong = 'x'.repeat(connector.capabilities.maxTextLength + 1)
      const error = await failureOf(sendText(tooLong))
      expect(error).toMatchObject({ reason: 'content', permanent: true })
      expect(await sim.attempts()).toEqual([])
    })

    it('verifies and parses a contact’s text, and a reply to what we sent', async () => {
      const ours = await sendText('question?')
      const { id } = await sim.contactSends(harness.contact, { text: 'answer!', reply_to: ours.platformMessageId })
      const request = await receiver.next((r) => inbound(r).length > 0)
      expect(connector.verifyWebhook(request), 'a webhook signed by the platform verifies').toBe(true)
      expect(inbound(request)).toMatchObject([{ platformMessageId: id, from: to(), text: 'answer!', account: connector.account }])
      expect(inbound(request)[0]?.replyTo, 'what the contact replied to').toBe(ours.platformMessageId)
    })

    it('parses a contact’s file and can say where to fetch it', async () => {
      await sim.contactSends(harness.contact, { file: { url: image.url, mime_type: image.mimeType } })
      const [message] = inbound(await receiver.next((r) => inbound(r).length > 0))
      expect(message?.media).toMatchObject({ kind: 'image' })
      const source = message?.media?.source
      if (source?.kind === 'url') expect(source.url).toMatch(/^https?:\/\//)
      if (source?.kind === 'platform') {
        expect(connector.resolveMedia, 'platform media ids need resolveMedia').toBeTypeOf('function')
        expect((await connector.resolveMedia?.(source.mediaId))?.url).toMatch(/^https?:\/\//)
      }
    })

    it('answers the platform’s subscription handshake where it has one, only with our verify token', async () => {
      if (!connector.answerHandshake) return void expect(harness.verifyToken, 'no handshake, no verify token').toBeUndefined()
      expect(harness.verifyToken, 'the harness names the verify token').toBeDefined()
      expect(await sim.subscribeWebhook(harness.verifyToken ?? '')).toEqual({ verified: true, status: 200 })
      expect(await sim.subscribeWebhook('a guess')).toEqual({ verified: false, status: 403 })
    })

    it('rejects a webhook with a bad signature', async () => {
      await sim.fault('bad_signature')
      await sim.contactSends(harness.contact, { text: 'forged?' })
      const request = await receiver.next()
      expect(connector.verifyWebhook(request)).toBe(false)
      expect(connector.verifyWebhook({ ...request, rawBody: Buffer.concat([request.rawBody, Buffer.from(' ')]) })).toBe(false)
    })

    it('gives a duplicated callback the same dedup key', async () => {
      await sim.fault('duplicate')
      await sim.contactSends(harness.contact, { text: 'twice' })
      const [a, b] = await receiver.waitForCount(2)
      expect(a && b && connector.parseWebhook(a).map((e) => e.eventId)).toEqual(b && connector.parseWebhook(b).map((e) => e.eventId))
    })

    it('maps the platform’s status callbacks to our statuses of the message sent, in any order', async () => {
      const expected = [
        ...(connector.capabilities.delivered === 'callback' ? ['DELIVERED'] : []),
        ...(connector.capabilities.read === 'never' ? [] : ['READ']),
      ]
      if ((await sim.supportedFaults()).includes('out_of_order')) await sim.fault('out_of_order')
      const { platformMessageId } = await sendText('status me')
      const statuses = () =>
        receiver.requests
          .flatMap((r) => connector.parseWebhook(r))
          .filter((e): e is StatusUpdate => e.kind === 'status' && e.target.kind !== 'up_to_time' && e.target.platformMessageId === platformMessageId)
      await eventually(() => expected.every((status) => statuses().some((s) => s.status === status)), `${expected.join(' and ')} callbacks`)
      expect(statuses().every((s) => s.recipient === to() && s.eventId !== '')).toBe(true)
      for (const request of receiver.requests) expect(connector.verifyWebhook(request), 'every callback verifies').toBe(true)
    })

    it('parses every recorded webhook of the platform into well-formed events', () => {
      const names = readdirSync(harness.fixtures).filter((file) => file.endsWith('.json'))
      expect(names.length, 'recorded fixtures of the platform').toBeGreaterThan(0)
      for (const file of names) {
        const request = { method: 'POST', headers: {}, query: {}, rawBody: readFileSync(new URL(file, harness.fixtures)) }
        for (const event of connector.parseWebhook(request)) {
          expect(event.eventId, `${file}: dedup key`).not.toBe('')
          expect(event.account, `${file}: account`).not.toBe('')
          expect(connector.addresses.parse(event.kind === 'message' ? event.from : event.recipient).ok, `${file}: contact id`).toBe(true)
        }
      }
    })

    it('throws on a body that is not the platform’s JSON, and finds no events in an unrelated object', () => {
      const request = (body: string) => ({ method: 'POST', headers: {}, query: {}, rawBody: Buffer.from(body) })
      expect(() => connector.parseWebhook(request('<html>not json</html>'))).toThrow()
      expect(connector.parseWebhook(request('{"hello":"world","entry":[{"id":1}]}'))).toEqual([])
    })

    describe('failure classification', () => {
      it('a 5xx is transient', async () => {
        await sim.fault('server_error')
        expect(await failureOf(sendText('x'))).toMatchObject({ reason: 'unavailable', permanent: false, outcomeUnknown: true })
      })

      it('a 429 is transient and carries the wait the platform asked for, in ms', async () => {
        await sim.fault('rate_limit', { retryAfterSeconds: 7 })
        expect(await failureOf(sendText('x'))).toMatchObject({ reason: 'rate_limited', permanent: false, retryAfterMs: 7000 })
      })

      it('no answer in time is a transient timeout whose outcome is unknown', async () => {
        await sim.fault('timeout')
        const error = await failureOf(sendText('x', harness.connector({ timeoutMs: 250 })))
        expect(error).toMatchObject({ reason: 'timeout', permanent: false, outcomeUnknown: true })
      })

      it('a refused recipient is permanent', async () => {
        await sim.fault('permanent')
        const error = await failureOf(sendText('x'))
        expect(error.permanent).toBe(true)
        expect(['bad_recipient', 'policy']).toContain(error.reason)
      })

      it('wrong credentials are permanent and say so', async () => {
        expect(await failureOf(sendText('x', harness.connector({ badCredentials: true })))).toMatchObject({ reason: 'unauthorized', permanent: true })
      })
    })

    describe('guarded by the circuit breaker and the pacer', () => {
      it('opens after consecutive failures, refuses without calling, probes after the cool-down, closes', async () => {
        const clock = virtualClock()
        const guard = createSendGuard({ pacing: connector.capabilities.pacing, failureThreshold: 2, coolDownMs: 30_000, clock })
        const guarded = (text: string) => guard.run(to(), () => sendText(text))
        await sim.fault('server_error', { times: 2 })
        await failureOf(guarded('one'))
        await failureOf(guarded('two'))
        expect(guard.breaker().state).toBe('open')
        expect(await failureOf(guarded('refused'))).toMatchObject({ reason: 'circuit_open', permanent: false, retryAfterMs: 30_000 })
        expect(await sim.attempts(), 'the open breaker made no call').toHaveLength(2)
        clock.advance(30_000)
        const probe = await guarded('probe')
        expect(guard.breaker().state).toBe('closed')
        expect((await sim.received()).map((m) => m.id)).toEqual([probe.platformMessageId])
      })

      it('queues a burst at the platform’s pace instead of having it refused', async () => {
        const clock = virtualClock()
        const pacing = connector.capabilities.pacing
        const guard = createSendGuard({ pacing, clock })
        const burst = Math.min(120, Math.max(...pacing.map((limit) => limit.burst ?? 1)) + 2)
        const started = clock.now()
        const results = await Promise.all(Array.from({ length: burst }, (_, i) => guard.run(to(), () => sendText(`burst ${i}`))))
        expect(results).toHaveLength(burst)
        expect((await sim.attempts()).every((a) => a.status === 200), 'the platform refused nothing').toBe(true)
        const slowest = Math.max(...pacing.map((limit) => (Math.max(0, burst - (limit.burst ?? 1)) * 1000) / limit.perSecond))
        expect(clock.now() - started, 'virtual time the burst was spread over').toBeGreaterThanOrEqual(Math.floor(slowest))
      })
    })
  })
}
