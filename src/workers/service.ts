/** A long-running part of a process: runs until its signal aborts, then finishes cleanly. */
export interface Service {
  readonly name: string
  run(signal: AbortSignal): Promise<void>
}

export { pause } from '../core/pause.js'
