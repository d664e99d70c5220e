/** @module The findings of the stream scenarios (e–h), one line each, written from the numbers. */
import { n, perMessageText } from './report-format.js'
import { medianRun } from './stats.js'
import type { AnyOutcome } from './types.js'

export function streamLines(outcome: AnyOutcome): string[] {
  switch (outcome.kind) {
    case 'ws-throughput': {
      const r = medianRun(outcome.runs, (x) => x.acceptedPerSec)
      if (!r) return []
      const v = r.verification
      return [
        `e: ${n(r.acceptedPerSec)} durable accepts/s (${n(r.acceptedPerSec * 60)}/min) over ${r.sockets} WebSockets × ${r.pipeline} pipelined sends; server ${n(r.server.cpuPercent)} % of a core, ${perMessageText(r.server)}.`,
        v.ok
          ? `e: every acknowledged send is stored exactly once (${v.method === 'full' ? 'each ok id found by paging the history' : 'by last_seq'}; ${n(v.stored - v.accepted)} stored without an ok, of ${n(v.unanswered)} unanswered).`
          : `e: VERIFICATION FAILED: ${n(v.accepted)} acked, ${n(v.stored)} stored, ${n(v.missing)} missing, ${n(v.duplicates)} acked twice.`,
      ]
    }
    case 'e2e-latency': {
      const r = medianRun(outcome.runs, (x) => x.phases[0]?.fromDueMs.p99 ?? Number.NaN)
      if (!r) return []
      return r.phases.map(
        (p) =>
          `f: ${p.via} at ${n(p.rate)} msg/s offered: ${n(p.delivered)} of ${n(p.scheduled)} delivered (${n(p.deliveredPerSec)}/s), send → receive from due p50 ${n(p.fromDueMs.p50, 2)} ms, p99 ${n(p.fromDueMs.p99, 2)} ms, max ${n(p.fromDueMs.max, 1)} ms; ${perMessageText(p.server)}${p.sendLagMs.p99 > 5 ? `; the sender itself lagged p99 ${n(p.sendLagMs.p99, 1)} ms behind its schedule` : ''}.`,
      )
    }
    case 'fanout': {
      const r = medianRun(outcome.runs, (x) => x.deliveriesPerSecond)
      if (!r) return []
      return [`g: ${n(r.deliveriesPerSecond)} deliveries/s end to end to ${n(r.members)} connected members; server ${n(r.server.cpuPercent)} % of a core, ${perMessageText(r.server)}.`]
    }
    case 'idle': {
      const r = medianRun(outcome.runs, (x) => x.bytesPerConnection)
      if (!r) return []
      return [
        `h: the server starts in ${n(r.startMs)} ms and idles at ${n(r.idleRssMb, 1)} MB RSS; ${n(r.connections)} idle connections add ${n(r.bytesPerConnection)} B each (${n(r.bytesPerConnection / 1024, 1)} KiB), cost ${n(r.connectCpuUs)} µs of server CPU each to open, and keep it ${n(r.quietCpuPercent, 2)} % busy at rest (heartbeat every ${n(r.heartbeatMs)} ms).`,
      ]
    }
    default:
      return []
  }
}
