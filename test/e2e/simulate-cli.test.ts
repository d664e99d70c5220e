/** `chat4all simulate whatsapp` as its own process: it starts, answers the Cloud API and calls the webhook back. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createWhatsAppConnector } from '../../src/adapters/connectors/whatsapp.js'
import { startWebhookReceiver } from '../../src/ports/connector-tools.contract.js'
import { whatsappSimulatorDefaults as sim } from '../../src/simulators/whatsapp.js'

const root = new URL('../../', import.meta.url).pathname

describe('chat4all simulate', () => {
  const stops: (() => Promise<unknown>)[] = []
  afterAll(async () => {
    for (const stop of stops) await stop()
  })

  it('runs the WhatsApp simulator: sends are accepted and statuses come back signed', async () => {
    const receiver = await startWebhookReceiver()
    stops.push(() => receiver.close())
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/main.ts'), 'simulate', 'whatsapp', '--port', '0', '--webhook', receiver.url, '--delivered-delay', '0', '--read-delay', '0'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)))
    stops.push(async () => {
      child.kill('SIGTERM')
      await exited
    })
    let output = ''
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${output}`)), 30_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(output)
        if (match?.[1]) {
          clearTimeout(timer)
          resolve(match[1])
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      void exited.then((code) => reject(new Error(`simulator exited (${String(code)}):\n${output}`)))
    })
    expect(output).toContain(`CHAT4ALL_WHATSAPP_BASE_URL=${url}`)
    expect(await (await fetch(`${url}/_sim`)).json()).toMatchObject({ platform: 'whatsapp', webhook: receiver.url })

    const connector = createWhatsAppConnector({
      baseUrl: url,
      apiVersion: 'v23.0',
      phoneNumberId: sim.account,
      accessToken: sim.accessToken,
      appSecret: sim.appSecret,
      verifyToken: 'unused',
    })
    const { platformMessageId } = await connector.send({ to: '+5511999998888', content: { kind: 'text', text: 'hello from the CLI test' } })
    const requests = await receiver.waitForCount(3)
    const statuses = requests.flatMap((request) => {
      expect(connector.verifyWebhook(request)).toBe(true)
      return connector.parseWebhook(request)
    })
    expect(statuses.map((s) => s.kind === 'status' && s.target.kind === 'message' && s.target.platformMessageId)).toEqual([platformMessageId, platformMessageId, platformMessageId])
    expect(statuses.map((s) => s.kind === 'status' && s.status)).toEqual(['SENT', 'DELIVERED', 'READ'])
  })
})
