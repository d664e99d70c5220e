/** @module What a scenario reports of the server's resources: CPU over the load, memory peak. */
import { selfCpuPercent, type CpuMark, type ProcessSampler } from './proc-stats.js'
import { round } from './stats.js'
import type { ServerUsage } from './types.js'

export interface LoadCpu {
  readonly cpuPercent: number
  readonly clientCpuPercent: number
  readonly mainThread: ServerUsage['mainThread']
}

/** CPU since the marks, taken right when the load ends: the server, its event-loop thread, this process. */
export function loadCpu(sampler: ProcessSampler, serverMark: CpuMark, selfMark: Parameters<typeof selfCpuPercent>[0]): LoadCpu {
  return {
    cpuPercent: sampler.cpuPercentSince(serverMark),
    mainThread: sampler.mainThreadSince(serverMark),
    clientCpuPercent: selfCpuPercent(selfMark),
  }
}

/** The usage record: CPU as measured over the load, memory peak as of now. */
export function serverUsage(sampler: ProcessSampler, cpu: LoadCpu): ServerUsage {
  const { hwmMb, sampledPeakRssMb } = sampler.peak()
  return {
    peakRssMb: round(hwmMb),
    sampledPeakRssMb: round(sampledPeakRssMb),
    cpuPercent: round(cpu.cpuPercent, 0),
    clientCpuPercent: round(cpu.clientCpuPercent, 0),
    mainThread: cpu.mainThread,
  }
}
