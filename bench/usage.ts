/** @module What a scenario reports of the server's resources: CPU over the load, memory peak. */
import { selfCpuPercent, type CpuMark, type ProcessSampler } from './proc-stats.js'
import { round } from './stats.js'
import type { CpuPerMessage, ServerUsage } from './types.js'

export interface LoadCpu {
  readonly cpuPercent: number
  /** Server CPU time over the window, s: what the per-message figure divides. */
  readonly cpuSeconds: number
  readonly clientCpuPercent: number
  readonly mainThread: ServerUsage['mainThread']
}

/** CPU since the marks, taken right when the load ends: the server, its event-loop thread, this process. */
export function loadCpu(sampler: ProcessSampler, serverMark: CpuMark, selfMark: Parameters<typeof selfCpuPercent>[0]): LoadCpu {
  return {
    cpuPercent: sampler.cpuPercentSince(serverMark),
    cpuSeconds: sampler.cpuSecondsSince(serverMark),
    mainThread: sampler.mainThreadSince(serverMark),
    clientCpuPercent: selfCpuPercent(selfMark),
  }
}

/**
 * Server CPU per message, µs: CPU time over the measured window ÷ what was counted in it. Unlike
 * msg/s it barely moves when other processes take cores from the server, so runs on a busy machine
 * stay comparable. `per` names the count ("accepted message", "delivery", …).
 */
export function cpuPerMessage(cpuSeconds: number, count: number, per: string): CpuPerMessage {
  return { us: count > 0 ? round((cpuSeconds * 1e6) / count, 1) : Number.NaN, per, count }
}

/** The usage record: CPU as measured over the load (and per message, see cpuPerMessage), memory peak as of now. */
export function serverUsage(sampler: ProcessSampler, cpu: LoadCpu, perMessage?: CpuPerMessage): ServerUsage {
  const { hwmMb, sampledPeakRssMb } = sampler.peak()
  return {
    peakRssMb: round(hwmMb),
    sampledPeakRssMb: round(sampledPeakRssMb),
    cpuPercent: round(cpu.cpuPercent, 0),
    cpuSeconds: round(cpu.cpuSeconds, 2),
    clientCpuPercent: round(cpu.clientCpuPercent, 0),
    mainThread: cpu.mainThread,
    cpuPerMessage: perMessage,
  }
}
