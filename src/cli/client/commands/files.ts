/** @module upload (tus, resumable across runs) and download (Range resume), both with a progress bar and a SHA-256 check. */
import { Command } from 'commander'
import { basename } from 'node:path'
import type { UploadResult } from '../../../client/index.js'
import { action, withCommonOptions, type Context } from '../context.js'
import { UsageError } from '../exit-codes.js'
import { progressBar } from '../progress.js'
import { bytes, parseBytes } from '../style.js'

const rateOf = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  try {
    return parseBytes(text)
  } catch (error) {
    throw new UsageError(`--limit-rate: ${(error as Error).message}`)
  }
}

/** Ctrl-C cancels the transfer cleanly; what reached the server stays, and the next run resumes. */
function cancelOnInterrupt(): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    done: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}

export async function uploadWithProgress(ctx: Context, path: string, options: { conversationId?: string; limitRate?: string | undefined }): Promise<UploadResult> {
  const bar = progressBar(basename(path), !ctx.json)
  const cancel = cancelOnInterrupt()
  try {
    const limitRate = rateOf(options.limitRate)
    return await ctx.client.files.upload(path, {
      ...(options.conversationId ? { conversationId: options.conversationId } : {}),
      ...(limitRate ? { limitRate } : {}),
      onProgress: (progress) => bar.update(progress),
      signal: cancel.signal,
    })
  } finally {
    bar.stop()
    cancel.done()
  }
}

export function fileCommands(): Command[] {
  const upload = withCommonOptions(new Command('upload'))
    .description('upload a file (tus, resumable): run it again after an interruption and it continues where the server stopped')
    .argument('<path>', 'the file to upload')
    .option('--conversation <id>', 'share the file with this conversation\'s members')
    .option('--limit-rate <bytes>', 'upload at most this fast, e.g. 500k or 2M')
    .addHelpText('after', '\nThe upload URL is kept in the config directory by path, size and modification time until the\nupload completes; the SHA-256 is declared to the server and checked against the ready file.')
    .action(
      action(async (ctx, path: string, options: { conversation?: string; limitRate?: string }) => {
        const result = await uploadWithProgress(ctx, path, { ...(options.conversation ? { conversationId: options.conversation } : {}), limitRate: options.limitRate })
        if (ctx.json) return ctx.printJson(result)
        const resumed = result.resumed_from > 0 ? `, resumed at ${bytes(result.resumed_from)}` : ''
        ctx.print(`Uploaded ${result.filename} (${bytes(result.size_bytes)}${resumed}), SHA-256 verified.`)
        ctx.print(`file id ${result.file_id} — attach it: chat4all send <to> "text" --file …, or share it with --conversation`)
      }),
    )

  const download = withCommonOptions(new Command('download'))
    .description('download a file; a partial download (PATH.part) is resumed with Range; the SHA-256 is verified')
    .argument('<file_id>', 'the file id (shown in history as [id] after a 📎)')
    .option('-o, --output <path>', 'where to write it (default: its name, in the current directory)')
    .option('--limit-rate <bytes>', 'download at most this fast, e.g. 500k or 2M')
    .action(
      action(async (ctx, fileId: string, options: { output?: string; limitRate?: string }) => {
        const limitRate = rateOf(options.limitRate)
        const bar = progressBar('download', !ctx.json)
        const cancel = cancelOnInterrupt()
        try {
          const result = await ctx.client.files.download(fileId, {
            ...(options.output ? { path: options.output } : {}),
            ...(limitRate ? { limitRate } : {}),
            onProgress: (progress) => bar.update(progress),
            signal: cancel.signal,
          })
          bar.stop()
          if (ctx.json) return ctx.printJson(result)
          const resumed = result.resumed_from > 0 ? `, resumed at ${bytes(result.resumed_from)}` : ''
          ctx.print(`Saved ${result.path} (${bytes(result.size_bytes)}${resumed}), SHA-256 verified.`)
        } finally {
          bar.stop()
          cancel.done()
        }
      }),
    )

  return [upload, download]
}
