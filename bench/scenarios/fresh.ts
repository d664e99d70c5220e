/** @module Runs a measurement on fresh servers (optionally seeded first), retrying a failed run once. */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchConfig, ScenarioKey } from '../config.js'
import { summarizeProfile } from '../profile.js'
import { startServer, type BenchServer } from '../server.js'
import { seedDataDir, seededEnv, type Seeder } from '../stream/fixtures.js'
import type { ProfileSummary } from '../types.js'

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Measured {
  readonly loadWindowUs: { readonly fromUs: number; readonly toUs: number }
}

export interface FreshServerOptions<S> {
  /** Writes the fixture into the data directory before the server starts; `measure` gets what it returns. */
  readonly seed?: (seeder: Seeder) => Promise<S>
  /** Extra CHAT4ALL_* for this scenario's server. */
  readonly env?: Readonly<Record<string, string>>
}

/**
 * Runs `measure` on a fresh server `runs` times. A run that fails is retried once on another
 * fresh server; a second failure is recorded, not thrown.
 */
export async function onFreshServers<R extends Measured, S = undefined>(
  key: ScenarioKey,
  config: BenchConfig,
  runs: number,
  measure: (server: BenchServer, seeded: S) => Promise<R>,
  describe: (run: R) => string,
  options: FreshServerOptions<S> = {},
): Promise<{ runs: R[]; profiles: ProfileSummary[]; failures: string[] }> {
  const results: R[] = []
  const profiles: ProfileSummary[] = []
  const failures: string[] = []
  const profileDir = config.cpuProf ? join(tmpdir(), `chat4all-bench-prof-${process.pid}`) : undefined
  const { seed } = options
  for (let run = 1; run <= runs; run++) {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const label = `[${key} ${run}/${runs}${attempt > 1 ? ' retry' : ''}]`
      let server: BenchServer | undefined
      try {
        let seeded: S | undefined
        const seedStarted = performance.now()
        server = await startServer({
          env: { ...config.serverEnv, ...(seed ? seededEnv : {}), ...options.env },
          cpuProfDir: profileDir,
          dataParent: config.dataParent,
          entry: config.serverEntry,
          seed: seed && (async (dataDir) => void (seeded = await seedDataDir(dataDir, seed))),
        })
        const seededIn = seed ? `, seeded in ${((performance.now() - seedStarted - server.startMs) / 1000).toFixed(1)} s` : ''
        log(`${label} server pid ${server.pid} at ${server.url}, started in ${Math.round(server.startMs)} ms${seededIn}`)
        const result = await measure(server, seeded as S)
        const stopped = await server.stop()
        server = undefined
        results.push(result)
        log(`${label} ${describe(result)}`)
        if (stopped.cpuProfile) {
          profiles.push(summarizeProfile(stopped.cpuProfile, result.loadWindowUs))
          log(`${label} CPU profile: ${stopped.cpuProfile}`)
        }
        break
      } catch (error) {
        const message = `${label} failed: ${error instanceof Error ? error.message : String(error)}${server ? `\nserver stderr:\n${server.stderrTail()}` : ''}`
        log(message)
        if (attempt === 2) failures.push(message)
        await server?.stop(5_000).catch(() => undefined)
      }
    }
  }
  return { runs: results, profiles, failures }
}
