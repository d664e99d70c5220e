/** @module Reads a process's memory and CPU from /proc (Linux), and samples them while load runs. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

export interface MemorySnapshot {
  /** Resident set size now, in MB. */
  readonly rssMb: number
  /** The kernel's resident high-water mark (VmHWM) since the process started, in MB. */
  readonly hwmMb: number
}

function kbField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)
  return match?.[1] ? Number(match[1]) : Number.NaN
}

export function readMemory(pid: number): MemorySnapshot | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return { rssMb: kbField(status, 'VmRSS') / 1024, hwmMb: kbField(status, 'VmHWM') / 1024 }
  } catch {
    return undefined
  }
}

/** User + system CPU seconds the process has used so far (all its threads). */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return undefined
  }
}

/** The main thread's scheduler counters: ns on a CPU and ns runnable but waiting for one. */
export function readMainThreadSchedNs(pid: number): { onCpuNs: number; runDelayNs: number } | undefined {
  try {
    const [onCpu, runDelay] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/)
    return { onCpuNs: Number(onCpu), runDelayNs: Number(runDelay) }
  } catch {
    return undefined
  }
}

export interface CpuMark {
  readonly at: number
  readonly cpuS: number
  readonly sched: { onCpuNs: number; runDelayNs: number } | undefined
}

/** Where the server's main (event-loop) thread spent the wall time, in %. */
export interface MainThreadTime {
  /** Running JavaScript, SQLite or syscalls on a CPU. */
  readonly onCpuPercent: number
  /** Ready to run but waiting for a CPU (the machine is contended). */
  readonly waitingForCpuPercent: number
  /** Neither: idle in the event loop, or blocked in a syscall (disk I/O, locks). */
  readonly offCpuPercent: number
}

/** Samples a process every `intervalMs`: peak RSS, and CPU use between marks. */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined
  private peakRss = 0

  constructor(
    readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    this.sample()
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
    return this
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private sample(): void {
    const memory = readMemory(this.pid)
    if (memory && memory.rssMb > this.peakRss) this.peakRss = memory.rssMb
  }

  /** The highest RSS seen by sampling, and the kernel's exact high-water mark. */
  peak(): { sampledPeakRssMb: number; hwmMb: number; rssMb: number } {
    this.sample()
    const memory = readMemory(this.pid)
    return { sampledPeakRssMb: this.peakRss, hwmMb: memory?.hwmMb ?? Number.NaN, rssMb: memory?.rssMb ?? Number.NaN }
  }

  mark(): CpuMark {
    return { at: performance.now(), cpuS: readCpuSeconds(this.pid) ?? Number.NaN, sched: readMainThreadSchedNs(this.pid) }
  }

  /** Average CPU use since `mark` in percent of one core (200 % = both cores of this machine). */
  cpuPercentSince(mark: CpuMark): number {
    const now = this.mark()
    const wallS = (now.at - mark.at) / 1000
    return wallS > 0 ? ((now.cpuS - mark.cpuS) / wallS) * 100 : Number.NaN
  }

  /** CPU seconds (user + system, all threads) used since `mark`. */
  cpuSecondsSince(mark: CpuMark): number {
    return this.mark().cpuS - mark.cpuS
  }

  mainThreadSince(mark: CpuMark): MainThreadTime | undefined {
    const now = this.mark()
    if (!mark.sched || !now.sched) return undefined
    const wallNs = (now.at - mark.at) * 1e6
    const onCpu = ((now.sched.onCpuNs - mark.sched.onCpuNs) / wallNs) * 100
    const waiting = ((now.sched.runDelayNs - mark.sched.runDelayNs) / wallNs) * 100
    const r = (v: number) => Math.round(v * 10) / 10
    return { onCpuPercent: r(onCpu), waitingForCpuPercent: r(waiting), offCpuPercent: r(Math.max(0, 100 - onCpu - waiting)) }
  }

  /**
   * Waits until the process is idle (below `idlePercent` of a core over two consecutive windows):
   * how long the server keeps working after the load stops (outbox relay, router, WAL checkpoints).
   */
  async waitIdle(timeoutMs: number, idlePercent = 5, windowMs = 250): Promise<{ ms: number; timedOut: boolean }> {
    const started = performance.now()
    let quiet = 0
    while (performance.now() - started < timeoutMs) {
      const mark = this.mark()
      await new Promise((resolve) => setTimeout(resolve, windowMs))
      quiet = this.cpuPercentSince(mark) < idlePercent ? quiet + 1 : 0
      if (quiet >= 2) return { ms: Math.max(0, performance.now() - started - 2 * windowMs), timedOut: false }
    }
    return { ms: performance.now() - started, timedOut: true }
  }
}

/** CPU of this (load generator) process, in percent of one core since `since`. */
export function selfCpuPercent(since: { usage: NodeJS.CpuUsage; at: number }): number {
  const used = process.cpuUsage(since.usage)
  const wallMs = performance.now() - since.at
  return wallMs > 0 ? ((used.user + used.system) / 1000 / wallMs) * 100 : Number.NaN
}

export function selfCpuMark(): { usage: NodeJS.CpuUsage; at: number } {
  return { usage: process.cpuUsage(), at: performance.now() }
}
