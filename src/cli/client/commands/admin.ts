/** @module `chat4all admin dead-letters` and `admin replay`: dead letters over the API, as a logged-in admin. */
import { Command } from 'commander'
import type { DeadLetter } from '../../../client/index.js'
import { action, withCommonOptions } from '../context.js'
import { UsageError } from '../exit-codes.js'
import { relativeTime, table } from '../style.js'

export function deadLetterCommands(): Command[] {
  const list = withCommonOptions(new Command('dead-letters'))
    .description('events a consumer gave up on, newest first, with their error (admins; over the API)')
    .option('--group <name>', 'only this consumer group: fanout, webhooks …')
    .option('--limit <n>', 'show at most this many', '50')
    .action(
      action(async (ctx, options: { group?: string; limit: string }) => {
        const limit = Number(options.limit)
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number ≥ 1, got '${options.limit}'`)
        const letters: DeadLetter[] = []
        for await (const letter of ctx.client.admin.allDeadLetters(options.group)) {
          letters.push(letter)
          if (letters.length >= limit) break
        }
        if (ctx.json) return ctx.printJson({ dead_letters: letters })
        if (letters.length === 0) return ctx.print('No dead letters.')
        ctx.print(table(['ID', 'GROUP', 'EVENT', 'ATTEMPTS', 'WHEN', 'ERROR'], letters.map((l) => [l.id, l.group, l.event_type, String(l.attempts), relativeTime(l.at), l.error.slice(0, 60)])))
      }),
    )
  const replay = withCommonOptions(new Command('replay'))
    .description('hand a dead letter back to its consumer (admins; over the API)')
    .argument('<id>', 'the dead letter id (admin dead-letters lists them)')
    .action(
      action(async (ctx, id: string) => {
        const queued = await ctx.client.admin.replay(id)
        if (ctx.json) return ctx.printJson(queued)
        ctx.print(`Queued again as event ${queued.replay_event_id}.`)
      }),
    )
  return [list, replay]
}
