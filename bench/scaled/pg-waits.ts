/**
 * @module What the PostgreSQL backends serving this deployment were doing, sampled from
 * pg_stat_activity every 100 ms: running, flushing WAL at commit, waiting on a lock, or idle inside
 * a transaction (waiting for the Chat4All process to send its next statement — the process, not the
 * database, is then the slow side). Other users of the same server (tests, other deployments) are
 * left out by matching each backend's client port against the sockets our processes hold.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { round } from '../stats.js'
import type { Deployment } from './cluster.js'

/** Local TCP ports of the sockets `pids` hold open (from /proc/<pid>/fd and /proc/net/tcp{,6}). */
function localPorts(pids: readonly number[]): number[] {
  const inodes = new Set<string>()
  for (const pid of pids) {
    let fds: string[] = []
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue // exited
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
        if (match?.[1]) inodes.add(match[1])
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports: number[] = []
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // local_address is "ADDR:PORT" in hex; the inode is the 10th field.
      const port = fields[1]?.split(':')[1]
      if (port && fields[9] && inodes.has(fields[9])) ports.push(parseInt(port, 16))
    }
  }
  return ports
}

export interface PgActivity {
  readonly samples: number
  /** Average number of this deployment's backends in each state per sample, busiest first. */
  readonly states: readonly { readonly state: string; readonly backends: number }[]
}

interface ActivityRow {
  readonly state: string | null
  readonly wait_event_type: string | null
  readonly wait_event: string | null
}

function classify(row: ActivityRow): string {
  if (row.state === 'idle in transaction') return 'idle in transaction (waiting for the Chat4All process)'
  if (row.wait_event_type === null) return 'running (on CPU or runnable)'
  if (row.wait_event_type === 'Client') return `waiting for the client (${row.wait_event ?? '?'})`
  return `${row.wait_event_type}/${row.wait_event ?? '?'}`
}

export function samplePgActivity(d: Deployment, intervalMs = 100): { stop(): Promise<PgActivity> } {
  const tally = new Map<string, number>()
  let samples = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const started = performance.now()
      const ports = localPorts(d.processes.map((p) => p.pid))
      const rows = await d.query<ActivityRow>(
        `SELECT state, wait_event_type, wait_event FROM pg_stat_activity
         WHERE client_port = ANY($1) AND state IS NOT NULL AND state <> 'idle'`,
        [ports],
      )
      samples++
      for (const row of rows) tally.set(classify(row), (tally.get(classify(row)) ?? 0) + 1)
      await sleep(Math.max(0, intervalMs - (performance.now() - started)))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      const states = [...tally.entries()]
        .map(([state, count]) => ({ state, backends: round(count / Math.max(1, samples), 2) }))
        .sort((a, b) => b.backends - a.backends)
      return { samples, states }
    },
  }
}
