/**
 * @module `npm run bench:stream`: the live stream's numbers on this machine — send → recipient
 * latency at 1,000 msg/s, deliveries per second to a connected 1,000-member group, resident memory
 * per idle connection, and the time to replay a 10,000-message offline backlog. Each runs against
 * its own freshly started `chat4all serve` process. It reports; it never fails on a number.
 *
 *   npm run bench:stream [-- --quick] [-- --only=latency,fanout,idleMemory,backlog]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, repoRoot, type BenchServer } from '../server.js'
import { Seeder, jwtSecret, seedDataDir, seededEnv, type SeedUser } from './fixtures.js'
import { isolatedFanout } from './fanout-isolated.js'
import { connectAllRaw } from './raw-client.js'
import { closeAll, connectAll, groupFanout, latencyAtRate, offlineBacklog, rssOf, type Pair } from './scenarios.js'

const quick = process.argv.includes('--quick')
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** A server on a data directory seeded first through the store (startServer removes it on stop). */
async function seededServer(seed: (seeder: Seeder) => Promise<void>, env: Record<string, string> = {}): Promise<BenchServer & { done(): Promise<void> }> {
  const server = await startServer({
    env: { ...seededEnv, CHAT4ALL_MAX_GROUP_MEMBERS: '1000', ...env },
    seed: (dataDir) => seedDataDir(dataDir, seed),
  })
  return Object.assign(server, {
    async done() {
      await server.stop()
    },
  })
}

async function pairs(seeder: Seeder, count: number): Promise<Pair[]> {
  const users = await seeder.users(count * 2, 'pair')
  const result: Pair[] = []
  for (let i = 0; i < count; i++) {
    const from = users[2 * i]!
    const to = users[2 * i + 1]!
    result.push({ from, to, conversationId: await seeder.conversation('private', [from, to]) })
  }
  return result
}

async function latency() {
  let ps: Pair[] = []
  const server = await seededServer(async (s) => void (ps = await pairs(s, 20)))
  try {
    await latencyAtRate(server.url, ps, 500, 2) // warm-up
    const rounds = []
    for (let i = 0; i < (quick ? 1 : 3); i++) rounds.push(await latencyAtRate(server.url, ps, 1_000, quick ? 3 : 5))
    const deliveries = rounds.map((r) => r.delivery)
    return { rate: 1_000, pairs: ps.length, rounds, median: { p50: median(deliveries.map((r) => r.p50)), p99: median(deliveries.map((r) => r.p99)) } }
  } finally {
    await server.done()
  }
}

async function fanout() {
  let members: SeedUser[] = []
  let groupId = ''
  const server = await seededServer(async (s) => {
    members = await s.users(1_000, 'member')
    groupId = await s.conversation('group', members)
  })
  const tokens = members.map((m) => m.token)
  let endToEnd
  try {
    // Everything: HTTP accept, outbox, relay, router (999 receipts per message), fan-out, sockets.
    const clients = await connectAllRaw(server.url, tokens)
    await groupFanout(server.url, members[0]!, clients, groupId, 20) // warm-up
    const rounds = []
    for (let i = 0; i < (quick ? 1 : 3); i++) rounds.push(await groupFanout(server.url, members[0]!, clients, groupId, quick ? 100 : 200))
    for (const client of clients) client.socket.destroy()
    endToEnd = { rounds, medianDeliveriesPerSecond: median(rounds.map((r) => r.deliveriesPerSecond)) }
  } finally {
    await server.done()
  }
  // The stream layer alone, on a copy of the same data.
  const dataDir = mkdtempSync(join(tmpdir(), 'chat4all-fanout-bench-'))
  try {
    const seeder = await Seeder.open(join(dataDir, 'chat4all.db'))
    const copy = await seeder.users(1_000, 'member')
    const copyGroup = await seeder.conversation('group', copy)
    await seeder.close()
    const isolated = await isolatedFanout(join(dataDir, 'chat4all.db'), jwtSecret, copyGroup, copy.map((m) => m.token), quick ? 500 : 1_000, quick ? 1 : 3)
    return {
      endToEnd,
      streamLayer: isolated.map((r) => ({ ...r, medianDeliveriesPerSecond: median(r.rounds.map((x) => x.deliveriesPerSecond)) })),
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function idleMemory() {
  const count = quick ? 2_000 : 10_000
  let users: SeedUser[] = []
  const server = await seededServer(async (s) => void (users = await s.users(count, 'idle')))
  try {
    // Warm the server's code paths with a few connections, then measure from a quiet baseline.
    await closeAll(await connectAll(server.url, users.slice(0, 50).map((u) => u.token)))
    await settle(2_000)
    const before = rssOf(server.pid)
    const started = performance.now()
    const clients = await connectAll(server.url, users.map((u) => u.token))
    const connectSeconds = (performance.now() - started) / 1000
    await settle(5_000)
    const after = rssOf(server.pid)
    await closeAll(clients)
    return {
      connections: count,
      connectPerSecond: Math.round(count / connectSeconds),
      rssBeforeMiB: Math.round(before / 2 ** 20),
      rssAfterMiB: Math.round(after / 2 ** 20),
      bytesPerConnection: Math.round((after - before) / count),
    }
  } finally {
    await server.done()
  }
}

async function backlog() {
  let ps: Pair[] = []
  const server = await seededServer(async (s) => void (ps = await pairs(s, quick ? 1 : 2)))
  try {
    const runs = []
    for (const pair of ps) runs.push(await offlineBacklog(server.url, pair, quick ? 2_000 : 10_000))
    return { runs, medianReadyMs: median(runs.map((r) => r.readyMs)) }
  } finally {
    await server.done()
  }
}

async function main() {
  const results: Record<string, unknown> = { at: new Date().toISOString(), quick }
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',')
  const step = async (name: string, run: () => Promise<unknown>) => {
    if (only && !only.includes(name)) return
    process.stdout.write(`${name} … `)
    const started = Date.now()
    results[name] = await run()
    console.log(`${((Date.now() - started) / 1000).toFixed(1)} s\n${JSON.stringify(results[name], null, 2)}`)
  }
  await step('latency', latency)
  await step('fanout', fanout)
  await step('idleMemory', idleMemory)
  await step('backlog', backlog)
  const dir = join(repoRoot, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `stream-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\nsaved ${file}`)
}

await main()
