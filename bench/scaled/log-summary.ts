/**
 * @module What the processes complained about: their stderr (pino JSON at `warn` and above, or
 * plain text from a crash) grouped by level and message, so the report shows errors without
 * pasting whole logs.
 */
import type { ProcessLog } from './cluster.js'

export interface LogLine {
  readonly level: string
  readonly msg: string
  readonly count: number
}

export interface ProcessLogSummary {
  readonly scenario: string
  readonly label: string
  readonly pid: number
  /** Exit code or signal at the end (a SIGKILL the bench sent shows here too). */
  readonly exit: number | string | null
  readonly lines: readonly LogLine[]
}

const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }

function parse(line: string): { level: string; msg: string } {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } }
    const detail = entry.err?.message ? `: ${entry.err.message}` : ''
    return { level: levels[entry.level ?? 0] ?? String(entry.level), msg: `${entry.msg ?? ''}${detail}`.slice(0, 240) }
  } catch {
    return { level: 'stderr', msg: line.slice(0, 240) }
  }
}

/** The error line and the first frames of our own code: enough to find it, short enough for a table. */
function crashText(lines: readonly string[]): string {
  const error = lines.find((l) => /^\w*Error\b|^Error:/.test(l)) ?? lines[0] ?? ''
  const ours = lines.filter((l) => l.startsWith('at ') && l.includes('/src/') && !l.includes('node_modules')).slice(0, 3)
  return [error, ...ours].join(' ← ').slice(0, 400)
}

export function summariseLogs(scenario: string, logs: readonly ProcessLog[]): ProcessLogSummary[] {
  return logs.map((log) => {
    const counts = new Map<string, LogLine>()
    const add = (level: string, msg: string) => {
      const key = `${level}\u0000${msg}`
      counts.set(key, { level, msg, count: (counts.get(key)?.count ?? 0) + 1 })
    }
    // Lines that are not JSON (a crash's stack trace) come in runs: one entry per run, its key lines.
    let text: string[] = []
    const flush = () => {
      if (text.length > 0) add('stderr', crashText(text))
      text = []
    }
    for (const raw of log.stderr.split('\n')) {
      if (raw.trim() === '') continue
      const parsed = parse(raw)
      if (parsed.level === 'stderr') {
        text.push(raw.trim())
        continue
      }
      flush()
      add(parsed.level, parsed.msg)
    }
    flush()
    return { scenario, label: log.label, pid: log.pid, exit: log.exit, lines: [...counts.values()] }
  })
}
