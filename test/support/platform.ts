/**
 * Starts the real platform for a test: in this process (fast, for most suites) or as a child
 * process (for crash and multi-process tests), always listening on a real port.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { channelSettingDocs, startPlatform, type Platform } from '../../src/app.js'
import { loadConfig } from '../../src/config/load.js'

export interface TestPlatform {
  readonly url: string
  readonly platform: Platform
  stop(): Promise<void>
}

export function tempDir(prefix = 'chat4all-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * Rate limits high enough never to trip: suites register and send from one address at rates no
 * person would. The counting still runs on every request. Suites about the limits set their own.
 */
export const generousRateLimits: Readonly<Record<string, string>> = Object.fromEntries(
  ['REGISTER', 'LOGIN', 'REFRESH', 'SEND', 'UPLOAD', 'WEBHOOK'].map((rule) => [`CHAT4ALL_RATE_LIMIT_${rule}`, '1000000/60']),
)

export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  const dir = tempDir()
  const { config } = loadConfig(
    {
      CHAT4ALL_DATA_DIR: dir.path,
      CHAT4ALL_PORT: '0',
      CHAT4ALL_GRPC_PORT: '0',
      CHAT4ALL_HOST: '127.0.0.1',
      ...generousRateLimits,
      ...env,
    },
    channelSettingDocs,
  )
  const platform = await startPlatform(config, pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }))
  return {
    url: platform.url,
    platform,
    stop: async () => {
      await platform.stop()
      dir.remove()
    },
  }
}

export interface ServerProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<number | string | null>
}

const root = new URL('../../', import.meta.url).pathname

export interface CliProcess extends ServerProcess {
  /** Everything it wrote so far, stdout and stderr. */
  output(): string
}

/** Spawns `chat4all <args>` from the sources and waits until it says where it listens. */
export async function spawnChat4all(args: readonly string[], env: Record<string, string> = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)))
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chat4all ${args[0]} did not start:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (https?:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`chat4all ${args[0]} exited (${String(code)}) before listening:\n${output}`))
    })
  })
  return { url, child, exited, output: () => output }
}

/** Spawns `chat4all serve` as its own process and waits until it listens. */
export async function spawnServer(env: Record<string, string>, args: readonly string[] = []): Promise<ServerProcess> {
  return spawnChat4all(['serve', ...args], {
    CHAT4ALL_HOST: '127.0.0.1',
    CHAT4ALL_GRPC_PORT: '0',
    CHAT4ALL_LOG_LEVEL: 'warn',
    ...generousRateLimits,
    ...env,
  })
}
