/**
 * @module `chat4all cluster` (`npm run cluster`): a scaled-out deployment on one machine, on
 * PostgreSQL and NATS JetStream. API processes share one port through `node:cluster` (the primary
 * hands out connections; no proxy), and the bus consumers and the outbox relay run as processes of
 * their own. Ctrl-C stops every process cleanly.
 */
import cluster from 'node:cluster'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { channelSettingDocs, startPlatform } from '../app.js'
import { loadConfig } from '../config/load.js'

export interface ClusterOptions {
  readonly api: number
  readonly workers: number
  readonly relays: number
}

/** The defaults a clean clone on this kind of machine needs: local PostgreSQL and NATS. */
const defaults: Record<string, string> = {
  CHAT4ALL_DB: 'postgres://postgres@127.0.0.1:5432/postgres?schema=chat4all',
  CHAT4ALL_BUS: 'nats://127.0.0.1:4222',
  CHAT4ALL_DATA_DIR: './data/cluster',
  CHAT4ALL_LOG_LEVEL: 'warn',
}

/** The entry point role processes run: main.js from the build (plain node), main.ts from the source (tsx). */
const mainScript = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../main.js' : '../main.ts', import.meta.url))

/** An API process forked by the primary: serves the API on the shared port. */
async function runApiProcess(): Promise<void> {
  const { config } = loadConfig(process.env, channelSettingDocs)
  const logger = pino({ level: config.logLevel, base: { service: 'chat4all', role: 'api', pid: process.pid } })
  const platform = await startPlatform(config, logger, { api: true, worker: false, relay: false })
  process.send?.({ listening: platform.url })
  const stop = () => void platform.stop().then(() => process.exit(0), () => process.exit(1))
  process.on('SIGTERM', stop)
  process.on('SIGINT', () => undefined) // the primary decides when to stop
}

function spawnRole(role: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, mainScript, 'serve', '--role', role], {
    env: { ...env, CHAT4ALL_PORT: '0', CHAT4ALL_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

async function runPrimary(options: ClusterOptions): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...defaults, ...process.env }
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value
  // Loaded once here: generates the shared JWT secret before any process starts.
  const { config } = loadConfig(env)
  const children: { readonly role: string; readonly pid: number | undefined; readonly exited: Promise<void> }[] = []
  const track = (role: string, child: ChildProcess) =>
    children.push({ role, pid: child.pid, exited: new Promise((resolve) => child.once('exit', () => resolve())) })

  // Relays and workers first: the first one to start creates the bus streams and the schema.
  for (let i = 0; i < options.relays; i++) track('relay', spawnRole('relay', env))
  for (let i = 0; i < options.workers; i++) track('worker', spawnRole('worker,connector', env))
  const listening: string[] = []
  for (let i = 0; i < options.api; i++) {
    const worker = cluster.fork(env)
    track('api', worker.process)
    worker.on('message', (message: { listening?: string }) => {
      if (message.listening) listening.push(message.listening)
    })
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('API processes did not start within 60 s')), 60_000)
    const check = setInterval(() => {
      if (listening.length === options.api) {
        clearInterval(check)
        clearTimeout(timer)
        resolve()
      }
    }, 50)
  })
  const shown = `http://127.0.0.1:${config.port}`
  process.stdout.write(
    [
      '',
      `  Chat4All cluster is listening on ${shown}`,
      // The API processes share the gRPC port as they share the HTTP one.
      ...(config.grpcPort ? [`  gRPC API on 127.0.0.1:${config.grpcPort}`] : []),
      `  Storage: ${config.db.replace(/\/\/[^@]*@/, '//***@')}   Bus: ${config.bus}`,
      '  Processes:',
      ...children.map((child) => `    ${child.role.padEnd(7)} pid ${child.pid ?? '?'}`),
      '  Ctrl-C stops them all.',
      '',
    ].join('\n') + '\n',
  )
  let stopping = false
  const stopAll = () => {
    if (stopping) return
    stopping = true
    process.stdout.write('  stopping…\n')
    // API processes first, so nothing is accepted that no relay would move.
    for (const id in cluster.workers) cluster.workers[id]?.process.kill('SIGTERM')
    void Promise.all(children.filter((c) => c.role === 'api').map((c) => c.exited)).then(async () => {
      for (const child of children) if (child.role !== 'api' && child.pid) process.kill(child.pid, 'SIGTERM')
      await Promise.all(children.map((c) => c.exited))
      process.stdout.write('  stopped\n')
      process.exit(0)
    })
  }
  process.on('SIGINT', stopAll)
  process.on('SIGTERM', stopAll)
}

export async function runCluster(options: ClusterOptions): Promise<void> {
  if (cluster.isPrimary) await runPrimary(options)
  else await runApiProcess()
}
