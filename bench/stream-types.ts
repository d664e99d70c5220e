/** @module The shapes of the stream scenarios' results (e–h), as written to bench/results/*.json. */
import type { Percentiles } from './stats.js'
import type { ServerUsage, Verification } from './types.js'

interface Window {
  /** The measured load on the monotonic clock (µs), to cut CPU profiles to it. */
  readonly loadWindowUs: { readonly fromUs: number; readonly toUs: number }
}

/** e: closed-loop `send` commands over many WebSockets, each keeping `pipeline` unanswered. */
export interface WsThroughputRun extends Window {
  readonly sockets: number
  readonly pipeline: number
  readonly durationS: number
  /** `send` commands written. */
  readonly sent: number
  /** `ok` replies with status `accepted`. */
  readonly accepted: number
  /** `ok` replies with status `duplicate` (none expected: every message_id is new). */
  readonly duplicateReplies: number
  /** `error` replies by code. */
  readonly errorCodes: Readonly<Record<string, number>>
  /** Sends without a reply when the drain gave up, or on a socket that closed. */
  readonly unanswered: number
  readonly socketsClosed: number
  readonly acceptedPerSec: number
  readonly acceptedEachSecond: readonly number[]
  /** Send written → its `ok`, closed loop (queueing behind the pipeline included), ms. */
  readonly ackMs: Percentiles
  readonly verification: Verification
  readonly server: ServerUsage
}

/** f: one offered rate, one way of sending. */
export interface E2ePhase {
  readonly via: 'rest' | 'ws'
  readonly rate: number
  readonly durationS: number
  readonly scheduled: number
  readonly accepted: number
  /** Accepted messages whose frame reached the recipient's socket. */
  readonly delivered: number
  /** Accepted but not delivered within the wait after the last send. */
  readonly missing: number
  /** Refused sends and transport errors. */
  readonly failed: number
  /** Frames for a message the recipient already had. */
  readonly duplicateFrames: number
  /** Deliveries per second over the schedule's length. */
  readonly deliveredPerSec: number
  /** When the send was due by the schedule → frame on the recipient's socket (no coordinated omission). */
  readonly fromDueMs: Percentiles
  /** When the send actually left → frame on the recipient's socket. */
  readonly fromSendMs: Percentiles
  /** When the send was due → its 202 / `ok`. */
  readonly acceptFromDueMs: Percentiles
  /** How late the sender itself was against its schedule, ms (a busy load generator shows here). */
  readonly sendLagMs: Percentiles
  readonly server: ServerUsage
}

export interface E2eLatencyRun extends Window {
  readonly pairs: number
  readonly phases: readonly E2ePhase[]
  /** Over all phases. */
  readonly server: ServerUsage
}

export interface FanoutRound {
  readonly messages: number
  readonly deliveries: number
  readonly seconds: number
  readonly deliveriesPerSecond: number
}

/** g: one sender into a group whose members are all connected. */
export interface FanoutRun extends Window {
  readonly members: number
  readonly connectS: number
  readonly rounds: readonly FanoutRound[]
  /** Median round. */
  readonly deliveriesPerSecond: number
  readonly server: ServerUsage
}

/** h: a fresh server's idle footprint, then N idle authenticated connections. */
export interface IdleRun extends Window {
  /** Spawn → "listening" banner. */
  readonly startMs: number
  /** RSS of the fresh server, nothing connected yet, after the settle time. */
  readonly idleRssMb: number
  readonly connections: number
  /** Loopback source addresses the connections came from. */
  readonly sourceAddresses: number
  readonly connectS: number
  readonly connectsPerSec: number
  /** Server CPU per connection (handshake, token check, replay, ready), µs. */
  readonly connectCpuUs: number
  /** RSS after a few warm-up connections came and went, and with all N connected and settled. */
  readonly rssBeforeMb: number
  readonly rssAfterMb: number
  readonly bytesPerConnection: number
  /** The server's ping interval (from `welcome`). */
  readonly heartbeatMs: number
  /** A window with every connection open and nothing sent. */
  readonly quietWindowS: number
  readonly quietCpuPercent: number
  /** Quiet CPU per connection per heartbeat interval, µs. */
  readonly cpuUsPerConnectionPerHeartbeat: number
  /** Connections that closed during the window (none expected: the readers answer pings). */
  readonly droppedInWindow: number
  readonly server: ServerUsage
}
