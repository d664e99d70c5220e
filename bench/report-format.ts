/** @module Number and field formatting shared by the report's writers. */
import type { Percentiles } from './stats.js'
import type { ServerUsage, Verification } from './types.js'

export const n = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : '—'

export function mainThreadText(server: Pick<ServerUsage, 'mainThread'>): string {
  const m = server.mainThread
  return m ? `${n(m.onCpuPercent)} / ${n(m.waitingForCpuPercent)} / ${n(m.offCpuPercent)}` : '—'
}

/** "123.4 µs per accepted message". */
export function perMessageText(server: Pick<ServerUsage, 'cpuPerMessage'>): string {
  const c = server.cpuPerMessage
  return c ? `${n(c.us, 1)} µs per ${c.per}` : '—'
}

export function verificationText(v: Verification): string {
  const missing = v.method === 'full' ? `, ${n(v.missing)} missing, ${n(v.duplicates)} acked twice` : ''
  return `${v.ok ? 'ok' : 'FAILED'}: ${n(v.accepted)} acked, ${n(v.stored)} stored${missing}, ${n(v.unanswered)} in flight at stop`
}

export const pText = (p: Percentiles, digits = 2): string => `${n(p.p50, digits)} / ${n(p.p90, digits)} / ${n(p.p99, digits)} / ${n(p.max, digits)}`
