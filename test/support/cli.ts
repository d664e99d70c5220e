/**
 * Runs the `chat4all` client commands as real processes (from the sources, through tsx) with their
 * own config directory, and a TCP proxy that can cut every connection through it — a network
 * drop, as the client sees one.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { tempDir } from './platform.js'

const root = new URL('../../', import.meta.url).pathname

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface CliUser {
  /** The config directory ($XDG_CONFIG_HOME) this user's commands share. */
  readonly home: string
  run(args: readonly string[], options?: { stdin?: string; env?: Record<string, string> }): Promise<CliRun>
  spawn(args: readonly string[], env?: Record<string, string>): RunningCli
  remove(): void
}

export interface RunningCli {
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves once stdout or stderr matches. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpExecArray>
  readonly exited: Promise<number | string | null>
}

export function cliUser(): CliUser {
  const dir = tempDir('chat4all-cli-')
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    XDG_CONFIG_HOME: dir.path,
    NO_COLOR: '1',
    CHAT4ALL_URL: '',
    CHAT4ALL_PROFILE: '',
    ...extra,
  })
  const start = (args: readonly string[], extra?: Record<string, string>) =>
    spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], { cwd: root, env: env(extra), stdio: ['pipe', 'pipe', 'pipe'] })
  return {
    home: dir.path,
    remove: dir.remove,
    run: (args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = start(args, options.env)
        let stdout = ''
        let stderr = ''
        child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
        child.on('error', reject)
        child.on('close', (code) => resolve({ code, stdout, stderr }))
        child.stdin!.end(options.stdin ?? '')
      }),
    spawn: (args, extra) => {
      const child = start(args, extra)
      child.stdin!.end()
      let out = ''
      let err = ''
      const waiters: (() => void)[] = []
      const poke = () => waiters.forEach((w) => w())
      child.stdout!.on('data', (chunk: Buffer) => ((out += chunk.toString()), poke()))
      child.stderr!.on('data', (chunk: Buffer) => ((err += chunk.toString()), poke()))
      const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)))
      return {
        child,
        exited,
        stdout: () => out,
        stderr: () => err,
        waitFor: (pattern, stream = 'stdout', timeoutMs = 30_000) =>
          new Promise((resolve, reject) => {
            const check = () => {
              const match = pattern.exec(stream === 'stdout' ? out : err)
              if (match) {
                clearTimeout(timer)
                resolve(match)
              }
            }
            const timer = setTimeout(() => reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs)
            waiters.push(check)
            check()
            void exited.then(() => setTimeout(() => reject(new Error(`exited before ${pattern}:\n${out}\n${err}`)), 100))
          }),
      }
    },
  }
}

export interface DropProxy {
  readonly url: string
  /** Cuts every connection open now (new ones are accepted). */
  dropAll(): number
  close(): Promise<void>
}

/** A TCP proxy to `target` (http://host:port) whose connections the test can cut at will. */
export async function dropProxy(target: string): Promise<DropProxy> {
  const { hostname, port } = new URL(target)
  const open = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    open.add(client)
    open.add(upstream)
    const forget = () => {
      open.delete(client)
      open.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', forget).on('close', forget)
    upstream.on('error', forget).on('close', forget)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    dropAll: () => {
      const count = open.size
      for (const socket of open) socket.destroy()
      return count
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
