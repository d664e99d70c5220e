/** @module send, history (with --follow), read, status. */
import { Command } from 'commander'
import type { Message, StreamFrame } from '../../../client/index.js'
import { action, withCommonOptions, type Context } from '../context.js'
import { UsageError } from '../exit-codes.js'
import { readStdin } from '../input.js'
import { receiptLine, messageLine } from '../render.js'
import { isConversationId, learnPrivate, resolveConversation } from '../resolve.js'
import { colour, relativeTime, table } from '../style.js'
import { uploadWithProgress } from './files.js'

const positiveInt = (value: string, option: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${option} must be a whole number, got '${value}'`)
  return n
}

interface SendOptions {
  readonly file?: string
  readonly channels?: string
  readonly limitRate?: string
}

async function send(ctx: Context, target: string, textArg: string | undefined, options: SendOptions): Promise<void> {
  const text = textArg === '-' ? (await readStdin()).replace(/\n$/, '') : textArg
  if (text === undefined && !options.file) throw new UsageError('give the text to send (or - to read it from stdin), or --file PATH')
  const byId = isConversationId(target)
  let fileId: string | undefined
  if (options.file) {
    const uploaded = await uploadWithProgress(ctx, options.file, { ...(byId ? { conversationId: target } : {}), limitRate: options.limitRate })
    fileId = uploaded.file_id
  }
  const result = await ctx.client.messages.send({
    ...(byId ? { conversationId: target } : { to: target }),
    ...(text !== undefined && text !== '' ? { text } : {}),
    ...(fileId ? { fileId } : {}),
    ...(options.channels ? { channels: options.channels.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
  })
  if (!byId) await learnPrivate(ctx, await ctx.client.conversations.get(result.conversation_id), target)
  if (ctx.json) return ctx.printJson({ ...result, ...(fileId ? { file_id: fileId } : {}) })
  ctx.print(`Sent #${result.seq} to ${byId ? target : `${target} (conversation ${result.conversation_id})`}${result.duplicate ? ' (already sent before)' : ''}`)
}

/** Prints history then follows the stream: messages and receipts of this conversation, resuming after drops. */
async function follow(ctx: Context, conversationId: string, lastSeq: number): Promise<void> {
  const stream = ctx.client.stream({ positions: { [conversationId]: lastSeq } })
  const stop = () => stream.close()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  stream.on('connection', (event) => {
    if (ctx.json) return
    if (event.state === 'closed') process.stderr.write(colour.dim(`connection lost (${event.code}); resuming in ${Math.round(event.retryInMs / 100) / 10} s\n`, process.stderr))
  })
  const failed = new Promise<never>((_, reject) => stream.on('error', reject))
  const frames = (async () => {
    for await (const frame of stream) show(ctx, conversationId, frame)
  })()
  await Promise.race([frames, failed])
}

function show(ctx: Context, conversationId: string, frame: StreamFrame): void {
  const concerns = 'conversation_id' in frame ? frame.conversation_id === conversationId : frame.position?.conversation_id === conversationId
  if (frame.type === 'message.created' && frame.message.conversation_id === conversationId) {
    return ctx.json ? ctx.printJson(frame) : ctx.print(messageLine(ctx, frame.message))
  }
  if (!concerns) return
  if (frame.type === 'message.status') return ctx.json ? ctx.printJson(frame) : ctx.print(receiptLine(ctx, frame))
  if (frame.type === 'stream.reset' || frame.type === 'member.joined' || frame.type === 'member.left' || frame.type === 'receipts.snapshot') {
    if (ctx.json) ctx.printJson(frame)
    else if (frame.type === 'stream.reset') ctx.print(colour.yellow(`(the stream restarted at #${frame.position.seq}: ${frame.reason})`))
  }
}

export function messageCommands(): Command[] {
  const sendCommand = withCommonOptions(new Command('send'))
    .description('send a message to a conversation, a user or a channel contact')
    .argument('<to>', 'a conversation id, a username, or a channel address such as whatsapp:+5511999998888')
    .argument('[text]', 'the text; - reads it from standard input')
    .option('--file <path>', 'attach a file (uploaded first, resumably, with a progress bar)')
    .option('--channels <list>', 'also deliver through linked identities on these channels: whatsapp,instagram,telegram or all')
    .option('--limit-rate <bytes>', 'upload the file at most this fast (e.g. 2M)')
    .addHelpText('after', '\nExamples:\n  chat4all send bob "Hi Bob"\n  echo "build passed" | chat4all send 9f3a…-… -\n  chat4all send whatsapp:+5511999998888 "Olá" \n  chat4all send bob "the notes" --file notes.pdf')
    .action(action(send))

  const history = withCommonOptions(new Command('history'))
    .description('show a conversation\'s messages, oldest first; --follow keeps printing new ones live')
    .argument('<conversation>', 'a conversation id or a username (the private conversation with them)')
    .option('--limit <n>', 'how many of the latest messages to show', '20')
    .option('-f, --follow', 'stay connected: print new messages and receipt changes as they happen (NDJSON with --json); resumes after a dropped connection; Ctrl-C stops')
    .action(
      action(async (ctx, reference: string, options: { limit: string; follow?: boolean }) => {
        const limit = positiveInt(options.limit, '--limit')
        const conversation = await resolveConversation(ctx, reference)
        const id = conversation.conversation_id
        const messages: readonly Message[] = limit === 0 ? [] : await ctx.client.messages.latest(id, limit)
        const lastSeq = messages.at(-1)?.seq ?? conversation.last_seq
        if (!options.follow) {
          if (ctx.json) return ctx.printJson({ conversation_id: id, messages })
          if (messages.length === 0) ctx.print(colour.dim('(no messages yet)'))
          for (const message of messages) ctx.print(messageLine(ctx, message))
          return
        }
        for (const message of messages) {
          if (ctx.json) ctx.printJson({ type: 'message.created', position: { conversation_id: id, seq: message.seq }, message })
          else ctx.print(messageLine(ctx, message))
        }
        await follow(ctx, id, lastSeq)
      }),
    )

  const read = withCommonOptions(new Command('read'))
    .description('mark a conversation read, up to its last message or --up-to SEQ')
    .argument('<conversation>', 'a conversation id or a username')
    .option('--up-to <seq>', 'mark messages up to this seq')
    .action(
      action(async (ctx, reference: string, options: { upTo?: string }) => {
        const conversation = await resolveConversation(ctx, reference)
        const upTo = options.upTo === undefined ? conversation.last_seq : positiveInt(options.upTo, '--up-to')
        const marks = await ctx.client.messages.readUpTo(conversation.conversation_id, upTo)
        if (ctx.json) return ctx.printJson(marks)
        ctx.print(`Read up to #${marks.read_up_to_seq}.`)
      }),
    )

  const status = withCommonOptions(new Command('status'))
    .description("a message's receipts, per recipient")
    .argument('<message_id>', 'the message id (send --json prints it)')
    .action(
      action(async (ctx, messageId: string) => {
        const detail = await ctx.client.messages.get(messageId)
        if (ctx.json) return ctx.printJson(detail)
        ctx.print(messageLine(ctx, detail))
        ctx.print(`status ${detail.status ?? '-'}`)
        ctx.print()
        ctx.print(
          table(
            ['RECIPIENT', 'STATUS', 'DELIVERED', 'READ', 'REASON'],
            detail.receipts.map((r) => [r.member_id.includes(':') ? r.member_id : ctx.nameOf(r.member_id), r.status, relativeTime(r.delivered_at), relativeTime(r.read_at), r.reason ?? '']),
          ),
        )
      }),
    )

  return [sendCommand, history, read, status]
}
