/**
 * @module Fan-out capacity of the stream layer alone (see fanout-server.ts): 1,000 connected
 * members, messages handed to the fan-out one per tick or ten per tick (as the worker does when the
 * relay hands it a batch), counted by lean raw-socket readers.
 */
import { spawn } from 'node:child_process'
import { repoRoot } from '../server.js'
import { until } from './clients.js'
import type { FanoutResult } from './scenarios.js'
import { connectAllRaw } from './raw-client.js'

export interface IsolatedFanout {
  readonly perTick: number
  readonly rounds: FanoutResult[]
}

export async function isolatedFanout(db: string, secret: string, groupId: string, tokens: readonly string[], messages: number, rounds: number): Promise<IsolatedFanout[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/stream/fanout-server.ts', db, secret], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  try {
    await until(() => out.includes('listening on'), 'the fan-out server', 30_000)
    const url = /listening on (\S+)/.exec(out)![1]!
    const clients = await connectAllRaw(url, tokens)
    let seq = 1
    const run = async (count: number, perTick: number): Promise<FanoutResult> => {
      const before = clients.map((c) => c.messages)
      const start = performance.now()
      child.stdin.write(`publish ${groupId} ${seq} ${count} ${perTick}\n`)
      seq += count
      await until(() => clients.every((c, i) => c.messages - before[i]! >= count), 'every member has every message', 120_000)
      const seconds = (performance.now() - start) / 1000
      const deliveries = clients.length * count
      return { members: clients.length, messages: count, deliveries, seconds, deliveriesPerSecond: Math.round(deliveries / seconds) }
    }
    await run(100, 10) // warm-up
    const results: IsolatedFanout[] = []
    for (const perTick of [1, 10]) {
      const measured = []
      for (let i = 0; i < rounds; i++) measured.push(await run(messages, perTick))
      results.push({ perTick, rounds: measured })
    }
    for (const client of clients) client.socket.destroy()
    return results
  } finally {
    child.kill()
  }
}
