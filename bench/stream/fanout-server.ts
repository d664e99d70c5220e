/**
 * @module The stream layer alone, for measuring fan-out capacity: the real hub, sessions and
 * WebSocket transport on a plain HTTP server, over the seeded SQLite store, fed straight through the
 * memory fan-out — no HTTP accept, no router writing receipts, which bound the end-to-end figure.
 * Driven over stdin: `publish <conversation> <from seq> <count> <per batch>` answers `done <ms>`.
 *
 *   tsx bench/stream/fanout-server.ts <sqlite file> <jwt secret>
 */
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import pino from 'pino'
import { createMemoryFanout } from '../../src/adapters/fanout/memory.js'
import { createSqliteStore } from '../../src/adapters/store/sqlite.js'
import { createPresence } from '../../src/core/presence.js'
import { createStreamHub } from '../../src/core/stream/hub.js'
import { createMemberCache } from '../../src/core/stream/member-cache.js'
import { createTokenService } from '../../src/core/tokens.js'
import { attachWebSocketTransport } from '../../src/transports/ws/websocket.js'

const [path, secret] = process.argv.slice(2)
if (!path || !secret) throw new Error('usage: fanout-server.ts <sqlite file> <jwt secret>')
const logger = pino({ level: 'warn' })
const store = await createSqliteStore({ path, synchronous: 'normal' })
const fanout = createMemoryFanout()
const members = createMemberCache({ store, maxEntries: 1_000, ttlMs: 60_000, now: Date.now })
const presence = createPresence({ store, fanout, logger, node: 'bench', maxConversationSize: 100, now: Date.now })
const hub = createStreamHub({
  store,
  fanout,
  members,
  presence,
  limits: { bufferBytes: 1 << 20, bufferEvents: 10_000, replayLimit: 10_000, replayPageSize: 500, typingIntervalMs: 1_000, heartbeatMs: 30_000 },
  typingTtlMs: 5_000,
  logger,
  now: Date.now,
})
const tokens = createTokenService({ secret, accessTtlSeconds: 3600, refreshTtlSeconds: 3600 })
const server = createServer((_, res) => res.writeHead(404).end())
attachWebSocketTransport(server, { hub, tokens, logger })
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
})

const tick = () => new Promise((resolve) => setImmediate(resolve))

for await (const line of createInterface({ input: process.stdin })) {
  const [command, conversationId, from, count, batch] = line.trim().split(' ')
  if (command !== 'publish' || !conversationId) continue
  const to = (await store.listMembers(conversationId)).map((m) => m.id)
  const sender = to[0]!
  const start = performance.now()
  for (let i = 0; i < Number(count); i++) {
    const seq = Number(from) + i
    // A new event object each time, as the worker publishes: serialised once, sent to all.
    await fanout.publish({
      to,
      event: {
        type: 'message.created',
        messageId: `bench-${seq}`,
        conversationId,
        seq,
        senderId: sender,
        payload: { type: 'text', text: `fan-out ${seq}` },
        metadata: null,
        createdAt: Date.now(),
      },
    })
    if ((i + 1) % Number(batch) === 0) await tick()
  }
  console.log(`done ${(performance.now() - start).toFixed(1)}`)
}
