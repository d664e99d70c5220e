/**
 * @module The transfer progress bar (cli-progress): bytes done and total, speed, ETA. On a
 * terminal it redraws in place on stderr; elsewhere it prints a progress line every second, so a
 * log or a supervising process still sees the transfer move. Not shown with --json.
 */
import cliProgress from 'cli-progress'
import type { Progress } from '../../client/index.js'
import { bytes } from './style.js'

export interface ProgressBar {
  update(progress: Progress): void
  stop(): void
}

const quiet: ProgressBar = { update: () => undefined, stop: () => undefined }

export function progressBar(label: string, enabled: boolean): ProgressBar {
  if (!enabled) return quiet
  let bar: cliProgress.SingleBar | undefined
  let phase: Progress['phase'] | undefined
  let window: { at: number; bytes: number }[] = []
  const speedOf = (done: number) => {
    const now = Date.now()
    window.push({ at: now, bytes: done })
    window = window.filter((s) => now - s.at <= 3_000)
    const first = window[0]!
    const seconds = (now - first.at) / 1000
    return seconds > 0.2 ? (done - first.bytes) / seconds : 0
  }
  const start = (progress: Progress) => {
    bar?.stop()
    phase = progress.phase
    window = []
    const what = progress.phase === 'hashing' ? `${label}: SHA-256` : label
    bar = new cliProgress.SingleBar(
      {
        format: `${what} {bar} {percentage}% | {done} / {size} | {speed} | ETA {eta_formatted}`,
        barsize: 20,
        hideCursor: true,
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 1000,
        etaBuffer: 50,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    )
    bar.start(progress.total, progress.bytes, { done: bytes(progress.bytes), size: bytes(progress.total), speed: '-' })
  }
  return {
    update(progress) {
      if (progress.phase !== phase) start(progress)
      bar!.update(progress.bytes, { done: bytes(progress.bytes), size: bytes(progress.total), speed: `${bytes(Math.round(speedOf(progress.bytes)))}/s` })
    },
    stop() {
      bar?.stop()
      bar = undefined
    },
  }
}
