/**
 * @module Spawns one `chat4all serve …` process and waits for its "Chat4All is listening on <url>"
 * banner: the single place both benches (all-in-one and scaled out) start a server, so they read
 * the banner, time the start and report a failed start the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const repoRoot = new URL('../', import.meta.url).pathname

/**
 * What runs the server: `src` through tsx (the working tree as it is), or `dist`, the compiled
 * build `npm start` runs (plain node, no compiler in the process; `npm run build` first).
 */
export type ServerEntry = 'src' | 'dist'

export function serverCommand(entry: ServerEntry): string[] {
  if (entry === 'src') return ['--import', 'tsx', join(repoRoot, 'src/main.ts')]
  const main = join(repoRoot, 'dist/main.js')
  if (!existsSync(main)) throw new Error(`BENCH_SERVER=dist: ${main} does not exist; run \`npm run build\` first`)
  return ['--enable-source-maps', main]
}

export interface SpawnOptions {
  /** node flags before the entry (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[]
  readonly entry?: ServerEntry
  /** Arguments after `serve`, e.g. ['--role', 'api']. */
  readonly serveArgs?: readonly string[]
  /** Overrides on top of this process's environment and the bench defaults (loopback, port 0, warn). */
  readonly env: Readonly<Record<string, string>>
  /** How the errors name the process. */
  readonly label: string
  readonly timeoutMs?: number
}

export interface SpawnedServer {
  readonly child: ChildProcess
  readonly pid: number
  readonly url: string
  /** performance.now() when the banner was printed (the process is serving). */
  readonly readyAt: number
  /** Spawn → banner, ms: the start-up time. */
  readonly startMs: number
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<number | string | null>
  /** True once the process has exited (a crash shows here). */
  hasExited(): boolean
  /** What the process wrote to stderr (the last `stderrCap` characters). */
  stderr(): string
}

const STDOUT_CAP = 10_000

export async function spawnUntilBanner(options: SpawnOptions, stderrCap = 64 * 1024): Promise<SpawnedServer> {
  const spawnedAt = performance.now()
  const command = [...(options.nodeArgs ?? []), ...serverCommand(options.entry ?? 'src'), 'serve', ...(options.serveArgs ?? [])]
  const child = spawn(process.execPath, command, {
    cwd: repoRoot,
    env: {
      ...process.env,
      CHAT4ALL_HOST: '127.0.0.1',
      CHAT4ALL_PORT: '0',
      CHAT4ALL_GRPC_PORT: '0',
      CHAT4ALL_LOG_LEVEL: 'warn',
      // A bench measures the platform flat out: a few users send thousands of messages a second,
      // far past the per-user limits that protect a deployment. Set it to measure them too.
      CHAT4ALL_RATE_LIMITS: process.env['CHAT4ALL_RATE_LIMITS'] ?? 'off',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let exitCode: number | string | null | undefined
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal
      resolve(exitCode)
    }),
  )
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-stderrCap)
  })
  const timeoutMs = options.timeoutMs ?? 60_000
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.label} did not start in ${timeoutMs / 1000} s:\n${stdout}\n${stderr}`)), timeoutMs)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.length < STDOUT_CAP) stdout += chunk.toString()
      const match = /Chat4All is listening on (http:\/\/\S+)/.exec(stdout)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${options.label} exited (${String(code)}) before listening:\n${stdout}\n${stderr}`))
    })
  }).catch((error: unknown) => {
    child.kill('SIGKILL')
    throw error
  })
  const readyAt = performance.now()
  if (child.pid === undefined) throw new Error(`${options.label} has no pid`)
  return {
    child,
    pid: child.pid,
    url,
    readyAt,
    startMs: readyAt - spawnedAt,
    exited,
    hasExited: () => exitCode !== undefined,
    stderr: () => stderr,
  }
}
