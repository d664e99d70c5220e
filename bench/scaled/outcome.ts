/**
 * @module Runs one measurement on a fresh deployment and always tears it down, keeping what the
 * processes logged: a failed measurement is reported (with the logs that explain it) instead of
 * ending the whole run.
 */
import { deployment, type Deployment, type DeploymentSettings } from './cluster.js'
import { summariseLogs, type ProcessLogSummary } from './log-summary.js'
import { backgroundBusy } from './quiet.js'

export interface Outcome<T> {
  readonly name: string
  readonly value?: T | undefined
  readonly error?: string | undefined
  /** Machine busy time (% of one core) just before the run, with nothing of the run's started yet. */
  readonly backgroundBusyPercent?: number | undefined
  readonly logs: readonly ProcessLogSummary[]
}

export async function inDeployment<T>(
  name: string,
  where: DeploymentSettings & { readonly quietWaitS: number },
  work: (d: Deployment) => Promise<T>,
): Promise<Outcome<T>> {
  const backgroundBusyPercent = await backgroundBusy(where.quietWaitS)
  process.stderr.write(`  ${name} (machine ${backgroundBusyPercent} % busy before it) …\n`)
  const started = performance.now()
  const d = await deployment(where)
  let value: T | undefined
  let error: string | undefined
  try {
    value = await work(d)
  } catch (caught) {
    error = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)
    process.stderr.write(`  ${name} FAILED: ${error}\n`)
  }
  const logs = summariseLogs(name, await d.close())
  process.stderr.write(`  ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  return { name, value, error, backgroundBusyPercent, logs }
}
