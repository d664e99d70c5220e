/**
 * @module Summarises a V8 .cpuprofile: self time per function and per origin (our src/, each
 * package, node internals, GC), optionally only for the samples inside the measured load.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from './server.js'
import type { ProfileEntry, ProfileSummary } from './types.js'

interface CpuProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number }
  readonly children?: readonly number[]
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[]
  readonly startTime: number
  readonly endTime: number
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** Now on the monotonic clock V8 stamps profiles with, in µs. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

function shortUrl(url: string): string {
  if (!url) return ''
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  return path.startsWith('/') ? relative(repoRoot, path) : path
}

function originOf(frame: CpuProfileNode['callFrame']): string {
  const { url, functionName } = frame
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)'
  if (url.startsWith('node:')) return 'node internals'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/')
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url)
  }
  const short = shortUrl(url)
  if (short.startsWith('src/')) return `chat4all ${short.split('/').slice(0, 2).join('/')}`
  return short
}

export function summarizeProfile(file: string, window?: { fromUs: number; toUs: number }, topN = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parentOf = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)
  const selfUs = new Map<number, number>()
  let t = profile.startTime
  let totalUs = 0
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0
    // A sample lasts until the next one.
    const duration = profile.timeDeltas[i + 1] ?? 0
    if (window && (t < window.fromUs || t > window.toUs)) continue
    const id = profile.samples[i]!
    selfUs.set(id, (selfUs.get(id) ?? 0) + duration)
    totalUs += duration
  }
  const label = (frame: CpuProfileNode['callFrame']) => {
    const name = frame.functionName || '(anonymous)'
    // tsx emits each module on few lines, so the column tells its functions apart.
    return { name, where: frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : '' }
  }
  const functions = new Map<string, { name: string; where: string; us: number; callers: Map<string, number> }>()
  const origins = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame
    if (!frame) continue
    const { name, where } = label(frame)
    const key = `${name}@${where}`
    const entry = functions.get(key) ?? { name, where, us: 0, callers: new Map<string, number>() }
    entry.us += us
    const parent = byId.get(parentOf.get(id) ?? -1)?.callFrame
    if (parent) {
      const caller = label(parent)
      const callerKey = `${caller.name} ${caller.where}`
      entry.callers.set(callerKey, (entry.callers.get(callerKey) ?? 0) + us)
    }
    functions.set(key, entry)
    const origin = originOf(frame)
    origins.set(origin, (origins.get(origin) ?? 0) + us)
  }
  const pct = (us: number) => (totalUs > 0 ? Math.round((us / totalUs) * 1000) / 10 : 0)
  const top: ProfileEntry[] = [...functions.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((f) => ({
      name: f.name,
      where: f.where,
      selfMs: Math.round(f.us / 1000),
      selfPercent: pct(f.us),
      topCaller: [...f.callers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
    }))
  const byOrigin = [...origins.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([origin, us]) => ({ origin, selfMs: Math.round(us / 1000), selfPercent: pct(us) }))
  return { file, totalMs: Math.round(totalUs / 1000), top, byOrigin }
}
