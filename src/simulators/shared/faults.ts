/**
 * @module Answering a platform API call with a queued send fault: a 5xx, a 429 with a wait, a
 * permanent refusal (each in the platform's own error shape), or no answer at all (a timeout,
 * held until the caller gives up or the simulator stops).
 */
import type { FastifyReply } from 'fastify'
import { pause } from '../../core/pause.js'
import { sendFaults, type SimulatorState } from './state.js'

export interface PlatformAnswer {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/** The platform's own answers for each fault. */
export interface FaultAnswers {
  serverError(): PlatformAnswer
  rateLimited(retryAfterSeconds: number): PlatformAnswer
  permanent(): PlatformAnswer
}

/** How long a `timeout` fault holds a request: longer than any client waits. */
const HOLD_MS = 120_000

/** Answers with the next queued send fault and returns true, or returns false when none is queued. */
export async function answerWithFault(state: SimulatorState, path: string, answers: FaultAnswers, reply: FastifyReply): Promise<boolean> {
  const fault = state.takeFault(sendFaults)
  if (!fault) return false
  if (fault.kind === 'timeout') {
    state.recordAttempt({ at: Date.now(), path, status: undefined, fault: fault.kind })
    await pause(HOLD_MS, state.stopping.signal)
    await send(reply, { status: 504, body: 'Gateway Timeout' })
    return true
  }
  const answer =
    fault.kind === 'server_error' ? answers.serverError() : fault.kind === 'rate_limit' ? answers.rateLimited(fault.retryAfterSeconds) : answers.permanent()
  state.recordAttempt({ at: Date.now(), path, status: answer.status, fault: fault.kind })
  await send(reply, answer)
  return true
}

/** Sends a platform answer and records the attempt. */
export async function answer(state: SimulatorState, path: string, reply: FastifyReply, platformAnswer: PlatformAnswer): Promise<void> {
  state.recordAttempt({ at: Date.now(), path, status: platformAnswer.status })
  await send(reply, platformAnswer)
}

async function send(reply: FastifyReply, answer: PlatformAnswer): Promise<void> {
  await reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body)
}
