/**
 * Where the NATS suites find their server (JetStream enabled). Absent on a laptop, they skip loudly;
 * under CI=true they must run, so a missing server fails the run instead.
 */
import { connect } from '@nats-io/transport-node'

export const natsUrl = process.env['CHAT4ALL_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222'

export async function natsAvailable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, ''), timeout: 2_000, reconnect: false })
    await nc.close()
    return true
  } catch (error) {
    if (process.env['CI'] === 'true') {
      throw new Error(`NATS is required under CI=true but ${natsUrl} is unreachable: ${String(error)}`)
    }
    console.warn(`\n⚠️  SKIPPING NATS suites: ${natsUrl} is unreachable (${String(error)}).\n`)
    return false
  }
}

/** A name no other test run uses, for streams, consumers and subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}

export interface PrivateNats {
  readonly url: string
  /** SIGKILLs the server; its JetStream store stays on disk. */
  kill(): Promise<void>
  /** Starts it again on the same port and store. */
  restart(): Promise<void>
  close(): Promise<void>
}

/**
 * A NATS server of the test's own (JetStream, store in a temp directory, a free port), for tests
 * that stop and restart the server without disturbing anyone else's.
 */
export async function startPrivateNats(): Promise<PrivateNats> {
  const { spawn } = await import('node:child_process')
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { createServer } = await import('node:net')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = mkdtempSync(join(tmpdir(), 'chat4all-nats-'))
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
  const url = `nats://127.0.0.1:${port}`
  const binary = process.env['CHAT4ALL_TEST_NATS_SERVER'] ?? '/usr/sbin/nats-server'
  let child: ReturnType<typeof spawn> | undefined
  const start = async () => {
    child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' })
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        const nc = await connect({ servers: `127.0.0.1:${port}`, timeout: 500, reconnect: false })
        await nc.close()
        return
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`private NATS did not start on ${port}: ${String(error)}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }
  const kill = async () => {
    const running = child
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }
  await start()
  return {
    url,
    kill,
    restart: start,
    close: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A `CHAT4ALL_BUS` value on the test NATS with a namespace of its own, and the cleanup of its stream. */
export function natsBusOfItsOwn(): { readonly bus: string; readonly cleanup: () => Promise<void> } {
  const namespace = uniqueName('c4a')
  return {
    bus: `${natsUrl}?namespace=${namespace}`,
    cleanup: async () => {
      const { jetstreamManager } = await import('@nats-io/jetstream')
      const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, '') })
      try {
        const jsm = await jetstreamManager(nc)
        await jsm.streams.delete(`${namespace.toUpperCase()}_EVENTS`).catch(() => undefined)
      } finally {
        await nc.close()
      }
    },
  }
}
