/**
 * @module Where the cores went during a measured window: each Chat4All process, PostgreSQL (all its
 * backends), nats-server, this load generator, and whatever else ran on the machine (the rest of
 * the busy time). All figures are % of one core, so on a 2-core machine they sum to at most 200.
 */
import os from 'node:os'
import type { CpuMark, ProcessSampler } from '../proc-stats.js'
import { selfCpuMark, selfCpuPercent } from '../proc-stats.js'
import { round } from '../stats.js'
import { CommGroupSampler, machineBusyPercentSince, machineMark } from './host-cpu.js'

export interface Sampled {
  readonly label: string
  readonly role: string
  readonly sampler: ProcessSampler
}

export interface CpuShare {
  readonly label: string
  /** api, worker, relay, all, postgres, nats, load generator, other. */
  readonly role: string
  readonly cpuPercent: number
  /**
   * Chat4All processes only: % of wall time their event-loop thread was runnable but waiting for a
   * core. High means the process was starved by the others, not busy itself.
   */
  readonly loopWaitingPercent?: number | undefined
}

export interface CpuFigures {
  readonly cores: number
  readonly wallS: number
  readonly shares: readonly CpuShare[]
  /** Busy time of all cores, % of one core. */
  readonly machineBusyPercent: number
}

export class CpuWindow {
  private marks: { process: Sampled; mark: CpuMark }[] = []
  private postgres = new CommGroupSampler('postgres')
  private nats = new CommGroupSampler('nats-server')
  private self = selfCpuMark()
  private machine = machineMark()
  private startedAt = 0

  constructor(private readonly processes: readonly Sampled[]) {}

  start(): this {
    this.startedAt = performance.now()
    this.marks = this.processes.map((process) => ({ process, mark: process.sampler.mark() }))
    this.postgres.start()
    this.nats.start()
    this.self = selfCpuMark()
    this.machine = machineMark()
    return this
  }

  stop(): CpuFigures {
    const cores = os.cpus().length
    const shares: CpuShare[] = this.marks.map(({ process, mark }) => ({
      label: process.label,
      role: process.role,
      // A process killed inside the window cannot be read at the end: its share is unknown.
      cpuPercent: round(process.sampler.cpuPercentSince(mark)),
      loopWaitingPercent: process.sampler.mainThreadSince(mark)?.waitingForCpuPercent,
    }))
    shares.push({ label: 'PostgreSQL', role: 'postgres', cpuPercent: round(this.postgres.stop().cpuPercent) })
    shares.push({ label: 'nats-server', role: 'nats', cpuPercent: round(this.nats.stop().cpuPercent) })
    shares.push({ label: 'load generator (bench)', role: 'load generator', cpuPercent: round(selfCpuPercent(this.self)) })
    const machineBusyPercent = round(machineBusyPercentSince(this.machine, cores))
    const known = shares.reduce((sum, s) => sum + (Number.isFinite(s.cpuPercent) ? s.cpuPercent : 0), 0)
    shares.push({ label: 'everything else', role: 'other', cpuPercent: round(Math.max(0, machineBusyPercent - known)) })
    return { cores, wallS: round((performance.now() - this.startedAt) / 1000, 2), shares, machineBusyPercent }
  }
}

/** CPU of all processes of one role, summed. */
export function roleCpu(figures: CpuFigures, role: string): number {
  return round(figures.shares.filter((s) => s.role === role).reduce((sum, s) => sum + (Number.isFinite(s.cpuPercent) ? s.cpuPercent : 0), 0))
}
