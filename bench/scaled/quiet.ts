/**
 * @module The machine's busy time before a run starts, when nothing of ours runs: other users of a
 * shared machine (tests, installs, other deployments) take cores the run then cannot have. Waits a
 * little for it to calm down, then reports what it was, so a reader can discount a noisy run.
 */
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { round } from '../stats.js'
import { machineBusyPercentSince, machineMark } from './host-cpu.js'

/** Below this (% of one core) the machine counts as quiet. */
const QUIET_PERCENT = 25

/** Busy % of one core over 1 s windows, until quiet or `waitS` has passed; returns the last window's. */
export async function backgroundBusy(waitS: number): Promise<number> {
  const cores = os.cpus().length
  const deadline = performance.now() + waitS * 1000
  for (;;) {
    const mark = machineMark()
    await sleep(1000)
    const busy = machineBusyPercentSince(mark, cores)
    if (busy < QUIET_PERCENT || performance.now() >= deadline) return round(busy)
  }
}
