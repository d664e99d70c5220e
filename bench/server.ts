/**
 * @module Starts `chat4all serve` as its own process (so the load generator never shares its event
 * loop), on a fresh data directory and an ephemeral port read back from its banner.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProcessSampler } from './proc-stats.js'
import { repoRoot, spawnUntilBanner, type ServerEntry } from './spawn-banner.js'

export { repoRoot }

export interface ServerOptions {
  /** Extra CHAT4ALL_* settings. */
  readonly env?: Readonly<Record<string, string>>
  /** Parent of the fresh data directory (default: the OS temp dir). */
  readonly dataParent?: string | undefined
  /** Write a V8 CPU profile into this directory when the server exits. */
  readonly cpuProfDir?: string | undefined
  /** `src` (tsx, the default) or `dist` (the compiled build). */
  readonly entry?: ServerEntry | undefined
  /**
   * Fills the fresh data directory before the server starts (users, conversations written through
   * the store: registering thousands over HTTP would spend minutes in scrypt).
   */
  readonly seed?: ((dataDir: string) => Promise<void>) | undefined
}

export interface BenchServer {
  readonly url: string
  readonly pid: number
  readonly dataDir: string
  readonly sampler: ProcessSampler
  /** Spawn → "listening" banner, ms. */
  readonly startMs: number
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
  let spawned
  try {
    await options.seed?.(dataDir)
    spawned = await spawnUntilBanner(
      { nodeArgs: profArgs, entry: options.entry, env: { ...options.env, CHAT4ALL_DATA_DIR: dataDir }, label: 'server', timeoutMs: 30_000 },
      8000,
    )
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
  const { child, pid, exited } = spawned
  const sampler = new ProcessSampler(pid).start()

  return {
    url: spawned.url,
    pid,
    dataDir,
    sampler,
    startMs: spawned.startMs,
    stderrTail: () => spawned.stderr().split('\n').slice(-20).join('\n'),
    exited: () => spawned.hasExited(),
    async stop(graceMs = 20_000) {
      sampler.stop()
      if (!spawned.hasExited()) child.kill('SIGTERM')
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
