/** @module What the numbers were measured on: machine, Node, and the code's git commit. */
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import type { BenchReport } from './types.js'
import { repoRoot } from './server.js'

export function machineInfo(): BenchReport['machine'] {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  }
}

export function gitInfo(): BenchReport['git'] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  try {
    const commit = git('rev-parse', '--short', 'HEAD')
    // Our own files (bench/) do not make the measured code dirty.
    const changed = git('status', '--porcelain', '--', '.', ':(exclude)bench')
    return { commit, dirty: changed.length > 0 }
  } catch {
    return { commit: null, dirty: false }
  }
}
