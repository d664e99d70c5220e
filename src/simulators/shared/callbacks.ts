/**
 * @module The calls a simulated platform makes to our webhook: signed as the platform signs,
 * delayed as configured, and disturbed by the queued callback faults (sent out of order, twice,
 * or with a bad signature). Each call is recorded; a failed call is not retried.
 */
import { request } from 'undici'
import { pause } from '../../core/pause.js'
import type { SimulatorState } from './state.js'

/** The headers that authenticate a body: a valid signature, or a deliberately wrong one. */
export type Signer = (body: Buffer, valid: boolean) => Record<string, string>

export interface CallbackStep {
  /** Milliseconds after the send (or the contact's message) this call is due. */
  readonly delayMs: number
  readonly kind: string
  readonly body: unknown
}

export function createCallbacks(state: SimulatorState, sign: Signer) {
  const post = async (kind: string, body: unknown): Promise<void> => {
    const target = state.webhook
    if (!target || state.stopping.signal.aborted) return
    const bytes = Buffer.from(JSON.stringify(body))
    const valid = !state.takeFault(['bad_signature'])
    const times = state.takeFault(['duplicate']) ? 2 : 1
    for (let i = 0; i < times; i++) {
      const base = { at: Date.now(), url: target.url, kind, body, signature: valid ? ('valid' as const) : ('bad' as const) }
      try {
        // undici's request rather than fetch: a fraction of the CPU per call, and a busy simulator makes two per send.
        const response = await request(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sign(bytes, valid) },
          body: bytes,
          signal: AbortSignal.any([state.stopping.signal, AbortSignal.timeout(10_000)]),
        })
        await response.body.dump()
        state.recordCallback({ ...base, status: response.statusCode })
      } catch (error) {
        state.recordCallback({ ...base, error: error instanceof Error ? error.message : String(error) })
      }
    }
  }

  return {
    /** Posts one body now. */
    post,
    /**
     * Posts the steps one after another, each at its delay after now; an `out_of_order` fault
     * posts the bodies in reverse order at the same instants.
     */
    schedule(steps: readonly CallbackStep[]): void {
      const sorted = [...steps].sort((a, b) => a.delayMs - b.delayMs)
      const bodies = state.takeFault(['out_of_order']) ? [...sorted].reverse() : sorted
      const started = Date.now()
      void (async () => {
        for (const [i, step] of sorted.entries()) {
          const wait = step.delayMs - (Date.now() - started)
          if (wait > 0) await pause(wait, state.stopping.signal)
          const body = bodies[i]
          if (state.stopping.signal.aborted || !body) return
          await post(body.kind, body.body)
        }
      })()
    },
  }
}

export type Callbacks = ReturnType<typeof createCallbacks>
