/**
 * @module `npm run bench:channels`: messages to WhatsApp contacts through the connector and the
 * platform simulator the all-in-one mounts, at a fixed offered rate (open loop). For each message
 * the sender's own WebSocket shows the contact's receipt move: SENT when the simulated Cloud API
 * accepted it, DELIVERED when its signed callback came back (simulated delay 0). Reports accept →
 * SENT, SENT → DELIVERED and accept → DELIVERED percentiles, what was delivered, and the server's
 * CPU per message. It reports; it never fails on a number.
 *
 * `BENCH_SIMULATOR=process` runs the simulator as its own process (`chat4all simulate whatsapp`), so
 * the server's CPU per message is the platform's own work and the simulator's is reported apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Api } from '../api.js'
import { int } from '../env.js'
import { createUsers, type BenchConversation } from '../fixtures.js'
import { pacedSend } from '../paced-sender.js'
import { readCpuSeconds } from '../proc-stats.js'
import { summarizeProfile } from '../profile.js'
import { repoRoot, startServer } from '../server.js'
import { percentiles, round, type Percentiles } from '../stats.js'
import { connect, until } from '../stream/clients.js'
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process.js'

const rate = int('BENCH_RATE', 1000)
const durationS = int('BENCH_DURATION', 10)
const contacts = int('BENCH_CONTACTS', 100)
/** The business number's Cloud API tier: 80/s by default on WhatsApp; 1,000 lets the offered rate through. */
const perSecond = int('BENCH_WHATSAPP_MESSAGES_PER_SECOND', 1000)
const simulatorMode = process.env['BENCH_SIMULATOR'] === 'process' ? 'process' : 'mounted'

interface StatusFrame {
  readonly type: string
  readonly member_id?: string
  readonly status?: string
  readonly message_id?: string | null
}

const summary = (values: readonly number[]): Percentiles => {
  const p = percentiles(values)
  return { p50: round(p.p50, 2), p90: round(p.p90, 2), p99: round(p.p99, 2), p999: round(p.p999, 2), max: round(p.max, 2), mean: round(p.mean, 2) }
}

async function main(): Promise<void> {
  const profileDir = process.env['BENCH_CPU_PROF'] === '1' ? join(tmpdir(), `chat4all-channels-prof-${process.pid}`) : undefined
  const entry = process.env['BENCH_SERVER'] === 'dist' ? 'dist' : 'src'
  const simulator: SimulatorProcess | undefined = simulatorMode === 'process' ? await startSimulatorProcess(entry) : undefined
  const server = await startServer({
    env: { CHAT4ALL_WHATSAPP_MESSAGES_PER_SECOND: String(perSecond), ...simulator?.connectorSettings },
    cpuProfDir: profileDir,
    entry,
  }).catch(async (error: unknown) => {
    await simulator?.stop()
    throw error
  })
  const api = new Api(server.url)
  const control = simulator ? `${simulator.url}/_sim` : `${server.url}/_sim/whatsapp/_sim`
  try {
    if (simulator) await simulator.callBack(`${server.url}/v1/channels/whatsapp/webhook`)
    // The contact's phone answers at once and never reads: the latency measured is the platform's path.
    const delays = await fetch(`${control}/delays`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delivered_ms: 0, read_ms: null }),
    })
    if (!delays.ok) throw new Error(`setting the simulator's delays: ${delays.status} ${await delays.text()}`)
    const [user] = await createUsers(api, 1)
    const conversations: BenchConversation[] = []
    for (let i = 0; i < contacts; i++) {
      const address = `whatsapp:+5511${String(900_000_000 + i)}`
      const { conversation_id } = await api.expect<{ conversation_id: string }>([201], 'POST', '/v1/conversations', user!.token, {
        type: 'group',
        title: `contact ${i}`,
        members: [address],
      })
      conversations.push({ conversationId: conversation_id, senders: [user!] })
    }
    const sentAt = new Map<string, number>()
    const deliveredAt = new Map<string, number>()
    let failed = 0
    const socket = await connect(server.url, user!.token)
    socket.onFrame = (data, at) => {
      if (!data.subarray(0, 30).includes('"message.status"')) return
      const frame = JSON.parse(data.toString()) as StatusFrame
      if (!frame.message_id || !frame.member_id?.startsWith('whatsapp:')) return
      if (frame.status === 'SENT' && !sentAt.has(frame.message_id)) sentAt.set(frame.message_id, at)
      if (frame.status === 'DELIVERED' && !deliveredAt.has(frame.message_id)) deliveredAt.set(frame.message_id, at)
      if (frame.status === 'FAILED') failed++
    }
    const cpuBefore = readCpuSeconds(server.pid) ?? Number.NaN
    const simulatorCpuBefore = simulator ? (readCpuSeconds(simulator.pid) ?? Number.NaN) : 0
    const { done } = pacedSend({ url: server.url, conversations, rate, durationS })
    const sent = await done
    const accepted = sent.messages.filter((m) => m.status === 202)
    await until(() => accepted.every((m) => deliveredAt.has(m.id)) || failed > 0, 'every message DELIVERED', 60_000).catch(() => undefined)
    const cpuSeconds = (readCpuSeconds(server.pid) ?? Number.NaN) - cpuBefore
    const simulatorCpuSeconds = simulator ? (readCpuSeconds(simulator.pid) ?? Number.NaN) - simulatorCpuBefore : undefined
    socket.socket.close()

    const delivered = accepted.filter((m) => sentAt.has(m.id) && deliveredAt.has(m.id))
    const result = {
      at: new Date().toISOString(),
      settings: { rate, durationS, contacts, whatsappMessagesPerSecond: perSecond, simulatedDelayMs: 0, simulator: simulatorMode, server: entry },
      scheduled: sent.messages.length,
      accepted: accepted.length,
      delivered: delivered.length,
      failed,
      acceptToSentMs: summary(delivered.map((m) => sentAt.get(m.id)! - m.acceptedAt)),
      sentToDeliveredMs: summary(delivered.map((m) => deliveredAt.get(m.id)! - sentAt.get(m.id)!)),
      dueToDeliveredMs: summary(delivered.map((m) => deliveredAt.get(m.id)! - m.dueAt)),
      serverCpuPerMessageUs: round((cpuSeconds * 1e6) / Math.max(1, delivered.length), 1),
      ...(simulatorCpuSeconds !== undefined ? { simulatorCpuPerMessageUs: round((simulatorCpuSeconds * 1e6) / Math.max(1, delivered.length), 1) } : {}),
    }
    console.log(JSON.stringify(result, null, 2))
    const dir = join(repoRoot, 'bench/results')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `channels-${result.at.replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
    console.log(`wrote ${file}`)
  } finally {
    await api.close()
    const { cpuProfile } = await server.stop()
    await simulator?.stop()
    if (cpuProfile) {
      console.log(`CPU profile ${cpuProfile}`)
      for (const f of summarizeProfile(cpuProfile).top) console.log(`${f.selfPercent.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}  ← ${f.topCaller}`)
    }
  }
}

await main()
