/** @module The stream scenarios' (e–h) lines in the report: summary cell, detail, and Markdown section. */
import { mainThreadText, n, perMessageText, pText, verificationText } from './report-format.js'
import { medianRun } from './stats.js'
import type { AnyOutcome } from './types.js'

type StreamOutcome = Extract<AnyOutcome, { kind: 'ws-throughput' | 'e2e-latency' | 'fanout' | 'idle' }>

const codes = (c: Readonly<Record<string, number>>) => Object.entries(c).map(([k, v]) => `${k}×${n(v)}`).join(', ') || 'none'

export function streamSummary(outcome: StreamOutcome): { result: string; detail: string } {
  switch (outcome.kind) {
    case 'ws-throughput': {
      const r = medianRun(outcome.runs, (x) => x.acceptedPerSec)!
      return {
        result: `${n(outcome.headline.median)} msg/s`,
        detail: `event loop on/wait/off CPU ${mainThreadText(r.server)} %; verify ${verificationText(r.verification)}; errors: ${codes(r.errorCodes)}; ack p50/p99 ${n(r.ackMs.p50, 1)}/${n(r.ackMs.p99, 1)} ms (closed loop)`,
      }
    }
    case 'e2e-latency': {
      const r = medianRun(outcome.runs, (x) => x.phases[0]?.fromDueMs.p99 ?? Number.NaN)!
      return {
        result: r.phases.map((p) => `${p.via}@${n(p.rate)}: p99 ${n(p.fromDueMs.p99, 1)} ms`).join(', '),
        detail: r.phases
          .map((p) => `${p.via} @ ${n(p.rate)}/s: p50/p90/p99/max ${pText(p.fromDueMs, 1)} ms from due, ${n(p.delivered)}/${n(p.scheduled)} delivered (${n(p.deliveredPerSec)}/s), ${perMessageText(p.server)}`)
          .join('; '),
      }
    }
    case 'fanout': {
      const r = medianRun(outcome.runs, (x) => x.deliveriesPerSecond)!
      return {
        result: `${n(outcome.headline.median)} deliveries/s`,
        detail: `${n(r.members)} members connected in ${n(r.connectS, 1)} s; rounds ${r.rounds.map((x) => `${n(x.deliveriesPerSecond)}/s`).join(', ')}; event loop on/wait/off ${mainThreadText(r.server)} %`,
      }
    }
    case 'idle': {
      const r = medianRun(outcome.runs, (x) => x.bytesPerConnection)!
      return {
        result: `${n(r.bytesPerConnection)} B/conn, idle RSS ${n(r.idleRssMb, 1)} MB, start ${n(r.startMs)} ms`,
        detail: `${n(r.connections)} connections from ${r.sourceAddresses} source address(es) at ${n(r.connectsPerSec)}/s; RSS ${n(r.rssBeforeMb, 1)} → ${n(r.rssAfterMb, 1)} MB; quiet ${r.quietWindowS} s: ${n(r.quietCpuPercent, 2)} % of a core (${n(r.cpuUsPerConnectionPerHeartbeat, 2)} µs per connection per ${n(r.heartbeatMs)} ms heartbeat), ${n(r.droppedInWindow)} dropped`,
      }
    }
  }
}

export function streamMarkdown(outcome: StreamOutcome): string[] {
  switch (outcome.kind) {
    case 'ws-throughput':
      return [
        '| run | accepted/s | sent | ok accepted | ok duplicate | errors | unanswered | ack p50 / p90 / p99 / max ms | server CPU % | CPU per message | main thread on / wait / off % | gen CPU % | peak RSS MB | verification |',
        '| ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | --- | --- | ---: | ---: | --- |',
        ...outcome.runs.map(
          (r, i) =>
            `| ${i + 1} | ${n(r.acceptedPerSec)} | ${n(r.sent)} | ${n(r.accepted)} | ${n(r.duplicateReplies)} | ${codes(r.errorCodes)} | ${n(r.unanswered)} | ${pText(r.ackMs, 1)} | ${n(r.server.cpuPercent)} | ${perMessageText(r.server)} | ${mainThreadText(r.server)} | ${n(r.server.clientCpuPercent)} | ${n(r.server.peakRssMb)} | ${verificationText(r.verification)} (${r.verification.method}, ${n(r.verification.ms)} ms) |`,
        ),
        '',
        'Accepted replies in each whole second of each run:',
        '',
        ...outcome.runs.map((r, i) => `- run ${i + 1}: ${r.acceptedEachSecond.map((v) => n(v)).join(' ')}`),
      ]
    case 'e2e-latency':
      return [
        'Latency is from when each send was due by the open-loop schedule to the frame on the recipient\'s socket (coordinated omission corrected); "from send" starts when the send actually left.',
        '',
        '| run | via | offered msg/s | delivered / scheduled | delivered/s | missing | failed | dup frames | from due p50 / p90 / p99 / p99.9 / max ms | from send p50 / p99 ms | accept (202/ok) from due p50 / p99 ms | sender lag p99 ms | server CPU % | CPU per message | main thread on / wait / off % |',
        '| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | --- | --- |',
        ...outcome.runs.flatMap((r, i) =>
          r.phases.map((p) => {
            const d = p.fromDueMs
            return `| ${i + 1} | ${p.via} | ${n(p.rate)} | ${n(p.delivered)} / ${n(p.scheduled)} | ${n(p.deliveredPerSec)} | ${n(p.missing)} | ${n(p.failed)} | ${n(p.duplicateFrames)} | ${n(d.p50, 2)} / ${n(d.p90, 2)} / ${n(d.p99, 2)} / ${n(d.p999, 2)} / ${n(d.max, 1)} | ${n(p.fromSendMs.p50, 2)} / ${n(p.fromSendMs.p99, 2)} | ${n(p.acceptFromDueMs.p50, 2)} / ${n(p.acceptFromDueMs.p99, 2)} | ${n(p.sendLagMs.p99, 2)} | ${n(p.server.cpuPercent)} | ${perMessageText(p.server)} | ${mainThreadText(p.server)} |`
          }),
        ),
      ]
    case 'fanout':
      return [
        '| run | members | round: messages → deliveries/s (s) | median deliveries/s | server CPU % | CPU per delivery | main thread on / wait / off % | gen CPU % | peak RSS MB |',
        '| ---: | ---: | --- | ---: | ---: | --- | --- | ---: | ---: |',
        ...outcome.runs.map(
          (r, i) =>
            `| ${i + 1} | ${n(r.members)} | ${r.rounds.map((x) => `${n(x.messages)} → ${n(x.deliveriesPerSecond)} (${n(x.seconds, 2)})`).join('; ')} | ${n(r.deliveriesPerSecond)} | ${n(r.server.cpuPercent)} | ${perMessageText(r.server)} | ${mainThreadText(r.server)} | ${n(r.server.clientCpuPercent)} | ${n(r.server.peakRssMb)} |`,
        ),
      ]
    case 'idle':
      return [
        '| run | start-up ms | idle RSS MB | connections | source addresses | connects/s | server CPU per connect µs | RSS before → after MB | bytes per connection | heartbeat ms | quiet window s | quiet CPU % | µs per connection per heartbeat | dropped |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...outcome.runs.map(
          (r, i) =>
            `| ${i + 1} | ${n(r.startMs)} | ${n(r.idleRssMb, 1)} | ${n(r.connections)} | ${r.sourceAddresses} | ${n(r.connectsPerSec)} | ${n(r.connectCpuUs, 1)} | ${n(r.rssBeforeMb, 1)} → ${n(r.rssAfterMb, 1)} | ${n(r.bytesPerConnection)} | ${n(r.heartbeatMs)} | ${r.quietWindowS} | ${n(r.quietCpuPercent, 2)} | ${n(r.cpuUsPerConnectionPerHeartbeat, 2)} | ${n(r.droppedInWindow)} |`,
        ),
      ]
  }
}
