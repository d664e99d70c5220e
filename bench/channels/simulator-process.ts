/**
 * @module The WhatsApp simulator as its own process (`chat4all simulate whatsapp`), for
 * `BENCH_SIMULATOR=process`: the platform's CPU per message is then measured without the
 * simulator's share, which the mounted simulators spend inside the server's event loop.
 */
import { spawn } from 'node:child_process'
import { simulators } from '../../src/simulators/index.js'
import { repoRoot, serverCommand, type ServerEntry } from '../spawn-banner.js'

export interface SimulatorProcess {
  readonly url: string
  readonly pid: number
  /** The connector variables that point the server's WhatsApp connector at this simulator. */
  readonly connectorSettings: Readonly<Record<string, string>>
  /** Where the simulator sends its signed status callbacks. */
  callBack(webhookUrl: string): Promise<void>
  stop(): Promise<void>
}

export async function startSimulatorProcess(entry: ServerEntry): Promise<SimulatorProcess> {
  const defaults: Readonly<Record<string, string>> = simulators.whatsapp.defaults
  const child = spawn(process.execPath, [...serverCommand(entry), 'simulate', 'whatsapp', '--port', '0', '--delivered-delay', '0', '--read-delay', 'never'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`the simulator did not start within 30 s:\n${out}`)), 30_000)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      const found = /listening on (http:\/\/\S+)/.exec(out)
      if (found) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the simulator exited (${code}) before listening:\n${out}`))
    })
  })
  child.stdout.resume()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    url,
    pid: child.pid!,
    connectorSettings: {
      CHAT4ALL_WHATSAPP_BASE_URL: url,
      CHAT4ALL_WHATSAPP_PHONE_NUMBER_ID: defaults['account'] ?? '',
      CHAT4ALL_WHATSAPP_ACCESS_TOKEN: defaults['accessToken'] ?? '',
      CHAT4ALL_WHATSAPP_APP_SECRET: defaults['appSecret'] ?? '',
      CHAT4ALL_WHATSAPP_VERIFY_TOKEN: 'bench-verify-token',
    },
    async callBack(webhookUrl) {
      const answer = await fetch(`${url}/_sim/webhook`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: webhookUrl }) })
      if (!answer.ok) throw new Error(`the simulator refused its webhook: ${answer.status} ${await answer.text()}`)
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
