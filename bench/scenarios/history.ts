/** @module Scenario d: paging through a long history with limit=200. */
import { randomUUID } from 'node:crypto'
import { Api, forEachLimit, pageHistory } from '../api.js'
import type { BenchConfig } from '../config.js'
import { createUsers, privateConversation, textBody } from '../fixtures.js'
import { selfCpuMark } from '../proc-stats.js'
import { monotonicUs } from '../profile.js'
import type { BenchServer } from '../server.js'
import { round, spread } from '../stats.js'
import type { HistoryRun } from '../types.js'
import { cpuPerMessage, loadCpu, serverUsage } from '../usage.js'

export async function runHistory(server: BenchServer, config: BenchConfig): Promise<HistoryRun> {
  const api = new Api(server.url, 64)
  try {
    const [sender, recipient] = await createUsers(api, 2)
    const conversation = await privateConversation(api, sender!, recipient!)
    const id = conversation.conversationId

    const seedStarted = performance.now()
    const indexes = Array.from({ length: config.historyMessages }, (_, i) => i)
    await forEachLimit(indexes, 64, async (i) => {
      const response = await api.pool.request({
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sender!.token}` },
        body: textBody(randomUUID(), id, i),
      })
      await response.body.text()
      if (response.statusCode !== 202) throw new Error(`seeding: POST /v1/messages → ${response.statusCode}`)
    })
    const seedMs = performance.now() - seedStarted
    // Let the router finish the recipients' receipts, so every pass reads the same settled state.
    await server.sampler.waitIdle(30_000)

    const serverMark = server.sampler.mark()
    const selfMark = selfCpuMark()
    const fromUs = monotonicUs()
    const passes: { ms: number; pages: number; messages: number }[] = []
    for (let run = 0; run < config.pageRuns; run++) {
      const started = performance.now()
      const result = await pageHistory(api, sender!.token, id, config.pageLimit)
      passes.push({ ms: round(performance.now() - started), pages: result.pages, messages: result.messages })
      if (result.messages !== config.historyMessages) {
        throw new Error(`history returned ${result.messages} messages, ${config.historyMessages} were accepted`)
      }
    }
    const recipientStarted = performance.now()
    const recipientPass = await pageHistory(api, recipient!.token, id, config.pageLimit)
    const recipientFirstReadMs = round(performance.now() - recipientStarted)
    const loadWindowUs = { fromUs, toUs: monotonicUs() }
    const cpu = loadCpu(server.sampler, serverMark, selfMark)
    return {
      seeded: config.historyMessages,
      seedMs: round(seedMs),
      pageLimit: config.pageLimit,
      passes,
      ms: spread(passes.map((p) => p.ms)),
      pages: passes[0]?.pages ?? 0,
      recipientFirstReadMs,
      recipientPages: recipientPass.pages,
      server: serverUsage(
        server.sampler,
        cpu,
        cpuPerMessage(cpu.cpuSeconds, passes.reduce((sum, p) => sum + p.messages, 0) + recipientPass.messages, 'message read (paged)'),
      ),
      loadWindowUs,
    }
  } finally {
    await api.close()
  }
}
