/**
 * @module CPU of what the bench does not start itself: the PostgreSQL server (one process per
 * connection, which come and go with the pools' idle timeout) and nats-server, found by their
 * command name in /proc, and the whole machine from /proc/stat. Lets the report say where the cores
 * went, including to processes other than ours.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { readCpuSeconds } from '../proc-stats.js'

/** Busy and total jiffies of all cores since boot (first line of /proc/stat). */
function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
  const values = line.trim().split(/\s+/).slice(1).map(Number)
  const total = values.reduce((sum, v) => sum + v, 0)
  // idle and iowait are the 4th and 5th fields: everything else is work.
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  return { busy: total - idle, total }
}

export interface MachineMark {
  readonly busy: number
  readonly total: number
}

export function machineMark(): MachineMark {
  return machineJiffies()
}

/** All cores' busy time since `mark`, in % of one core (200 % = both cores of a 2-core machine). */
export function machineBusyPercentSince(mark: MachineMark, cores: number): number {
  const now = machineJiffies()
  const total = now.total - mark.total
  return total > 0 ? ((now.busy - mark.busy) / total) * 100 * cores : Number.NaN
}

/** Pids whose command name (/proc/<pid>/comm) is `comm`. */
export function pidsByComm(comm: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry))
    } catch {
      // The process ended between readdir and read.
    }
  }
  return pids
}

/**
 * CPU of every process named `comm`, including those that start or end inside the window: samples
 * the set every `intervalMs` and keeps, per pid, the CPU seen first and last. A process that ends
 * loses at most its last interval; one that starts inside the window counts from zero.
 */
export class CommGroupSampler {
  private first = new Map<number, number>()
  private last = new Map<number, number>()
  private startedAt = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    readonly comm: string,
    private readonly intervalMs = 250,
  ) {}

  /** Starts a window; the pids running now count from their current CPU. */
  start(): this {
    this.first.clear()
    this.last.clear()
    this.startedAt = performance.now()
    for (const pid of pidsByComm(this.comm)) {
      const cpu = readCpuSeconds(pid)
      if (cpu !== undefined) this.first.set(pid, cpu)
    }
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
    return this
  }

  private sample(): void {
    for (const pid of pidsByComm(this.comm)) {
      const cpu = readCpuSeconds(pid)
      if (cpu === undefined) continue
      if (!this.first.has(pid)) this.first.set(pid, 0)
      this.last.set(pid, cpu)
    }
  }

  /** Ends the window: CPU in % of one core, and how many processes took part. */
  stop(): { cpuPercent: number; processes: number } {
    this.sample()
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    const wallS = (performance.now() - this.startedAt) / 1000
    let cpuS = 0
    let processes = 0
    for (const [pid, first] of this.first) {
      const last = this.last.get(pid)
      if (last === undefined) continue
      cpuS += Math.max(0, last - first)
      if (last - first > 0) processes++
    }
    return { cpuPercent: wallS > 0 ? (cpuS / wallS) * 100 : Number.NaN, processes }
  }
}
