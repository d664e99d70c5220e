/**
 * @module Starts `chat4all serve` as its own process (so the load generator never shares its event
 * loop), on a fresh data directory and an ephemeral port read back from its banner.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProcessSampler } from './proc-stats.js'

export const repoRoot = new URL('../', import.meta.url).pathname

export interface ServerOptions {
  /** Extra CHAT4ALL_* settings. */
  readonly env?: Readonly<Record<string, string>>
  /** Parent of the fresh data directory (default: the OS temp dir). */
  readonly dataParent?: string | undefined
  /** Write a V8 CPU profile into this directory when the server exits. */
  readonly cpuProfDir?: string | undefined
}

export interface BenchServer {
  readonly url: string
  readonly pid: number
  readonly dataDir: string
  readonly sampler: ProcessSampler
  /** The last lines the server wrote to stderr (warnings, errors). */
  stderrTail(): string
  /** True once the process has exited (a crash shows here). */
  exited(): boolean
  /** SIGTERM, wait for a clean exit (SIGKILL after `graceMs`), remove the data directory. */
  stop(graceMs?: number): Promise<{ code: number | string | null; cpuProfile?: string | undefined }>
}

export async function startServer(options: ServerOptions = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(options.dataParent ?? tmpdir(), 'chat4all-bench-'))
  const profArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []
  if (options.cpuProfDir) mkdirSync(options.cpuProfDir, { recursive: true })
  const child: ChildProcess = spawn(process.execPath, [...profArgs, '--import', 'tsx', join(repoRoot, 'src/main.ts'), 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      CHAT4ALL_DATA_DIR: dataDir,
      CHAT4ALL_HOST: '127.0.0.1',
      CHAT4ALL_PORT: '0',
      CHAT4ALL_LOG_LEVEL: 'warn',
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
    stderr = (stderr + chunk.toString()).slice(-8000)
  })
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${stdout}\n${stderr}`)), 30_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.length < 10_000) stdout += chunk.toString()
      const match = /Chat4All is listening on (http:\/\/\S+)/.exec(stdout)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${String(code)}) before listening:\n${stdout}\n${stderr}`))
    })
  })
  const url = await started.catch((error: unknown) => {
    child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('server has no pid')
  const sampler = new ProcessSampler(pid).start()

  return {
    url,
    pid,
    dataDir,
    sampler,
    stderrTail: () => stderr.split('\n').slice(-20).join('\n'),
    exited: () => exitCode !== undefined,
    async stop(graceMs = 20_000) {
      sampler.stop()
      if (exitCode === undefined) child.kill('SIGTERM')
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const code = await exited
      clearTimeout(kill)
      rmSync(dataDir, { recursive: true, force: true })
      const dir = options.cpuProfDir
      const cpuProfile = dir
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`))
            .map((f) => join(dir, f))[0]
        : undefined
      return { code, cpuProfile }
    },
  }
}
