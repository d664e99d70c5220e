/**
 * @module `chat4all chat`: an interactive terminal view of one conversation. New messages, receipts
 * and typing arrive live through the stream (which resumes by itself after a drop) and print above
 * the input line; typing a line sends it. Built on node:readline: the screen scrolls like a shell,
 * so it works in any terminal size from 80×24 up, over ssh and in tmux, without a full-screen
 * library.
 */
import { Command } from 'commander'
import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline'
import type { Conversation, LiveStream, StreamFrame } from '../../../client/index.js'
import { action, withCommonOptions, type Context } from '../context.js'
import { UsageError } from '../exit-codes.js'
import { interactive } from '../input.js'
import { messageLine, receiptLine } from '../render.js'
import { resolveConversation, titleOf } from '../resolve.js'
import { colour } from '../style.js'
import { uploadWithProgress } from './files.js'

const HELP = [
  'Type a message and press Enter to send it.',
  '  /attach PATH [text]  upload a file (with progress) and send it',
  '  /switch              choose another conversation',
  '  /help                this help',
  '  /quit                leave (or Ctrl-D, Ctrl-C)',
].join('\n')

/** How many earlier messages to show on entering: leaves room for the input in 24 rows. */
const BACKLOG = 15

async function pickConversation(ctx: Context): Promise<Conversation> {
  const choices: { name: string; value: Conversation; description: string }[] = []
  for await (const c of ctx.client.conversations.all()) {
    const full = c.type === 'private' && !c.title ? await ctx.client.conversations.get(c.conversation_id) : c
    const unread = c.unread_count > 0 ? ` (${c.unread_count} unread)` : ''
    choices.push({ name: `${titleOf(ctx, full)}${unread}`.slice(0, 70), value: full, description: c.conversation_id })
    if (choices.length >= 100) break
  }
  if (choices.length === 0) throw new UsageError('no conversations yet: start one with chat4all chat <username>')
  const { select } = await import('@inquirer/prompts')
  return select({ message: 'Conversation', choices, pageSize: 15 })
}

interface Session {
  readonly rl: Interface
  readonly stream: LiveStream
  say(line: string): void
}

/** Prints above the input line, then redraws the prompt with what the user was typing. */
function sayer(rl: Interface): (line: string) => void {
  return (line) => {
    cursorTo(process.stdout, 0)
    clearLine(process.stdout, 0)
    process.stdout.write(`${line}\n`)
    rl.prompt(true)
  }
}

function onFrame(ctx: Context, session: Session, conversationId: string, frame: StreamFrame, setTyping: (who: string | undefined, until: number) => void): void {
  if (frame.type === 'message.created' && frame.message.conversation_id === conversationId) {
    session.say(messageLine(ctx, frame.message))
    if (frame.message.sender_id !== ctx.me) {
      setTyping(undefined, 0)
      // On screen means read.
      session.stream.read(conversationId, frame.message.seq)
    }
  } else if (frame.type === 'message.status' && frame.conversation_id === conversationId && frame.member_id !== ctx.me) {
    session.say(receiptLine(ctx, frame))
  } else if (frame.type === 'typing' && frame.conversation_id === conversationId && frame.user_id !== ctx.me) {
    setTyping(ctx.nameOf(frame.user_id), frame.expires_at ? Date.parse(frame.expires_at) : Date.now() + 5_000)
  } else if (frame.type === 'stream.reset' && frame.position.conversation_id === conversationId) {
    session.say(colour.yellow(`(the conversation restarted at #${frame.position.seq}: ${frame.reason})`))
  }
}

/** One conversation on screen until the user quits (false) or asks to switch (true). */
async function chatIn(ctx: Context, conversation: Conversation): Promise<boolean> {
  const id = conversation.conversation_id
  const backlog = await ctx.client.messages.latest(id, BACKLOG)
  const title = titleOf(ctx, conversation)
  process.stdout.write(`${colour.bold(`── ${title}`)} ${colour.dim(`· ${conversation.type} · /help for commands`)}\n`)
  for (const message of backlog) process.stdout.write(`${messageLine(ctx, message)}\n`)
  const lastSeq = backlog.at(-1)?.seq ?? conversation.last_seq
  const stream = ctx.client.stream({ positions: { [id]: lastSeq } })
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdout.isTTY === true, historySize: 100 })
  const basePrompt = `${colour.green('>')} `
  rl.setPrompt(basePrompt)
  const session: Session = { rl, stream, say: sayer(rl) }
  if (lastSeq > 0) stream.read(id, lastSeq)

  let typingTimer: NodeJS.Timeout | undefined
  const setTyping = (who: string | undefined, until: number) => {
    clearTimeout(typingTimer)
    rl.setPrompt(who ? `${colour.dim(`${who} is typing…`)} ${basePrompt}` : basePrompt)
    rl.prompt(true)
    if (who) typingTimer = setTimeout(() => setTyping(undefined, 0), Math.max(0, until - Date.now()))
  }
  let lost = false
  stream.on('frame', (frame) => onFrame(ctx, session, id, frame, setTyping))
  stream.on('connection', (event) => {
    if (event.state === 'closed' && !lost) {
      lost = true
      session.say(colour.dim('connection lost; reconnecting…'))
    } else if (event.state === 'open' && lost) {
      lost = false
      session.say(colour.dim('reconnected'))
    }
  })
  stream.on('error', (error) => session.say(colour.red(`live updates stopped: ${error.detail}`)))
  stream.once('frame', () => {
    if (lastSeq > 0) stream.read(id, lastSeq)
  })

  // Typing notices, at most one every 3 s while keys are pressed.
  let lastTyping = 0
  const onKey = () => {
    if (Date.now() - lastTyping < 3_000) return
    lastTyping = Date.now()
    stream.typing(id)
  }
  process.stdin.on('keypress', onKey)

  const send = async (text: string, fileId?: string) => {
    try {
      await ctx.client.messages.send({ conversationId: id, ...(text ? { text } : {}), ...(fileId ? { fileId } : {}) })
    } catch (error) {
      session.say(colour.red(`not sent: ${error instanceof Error ? error.message : String(error)}`))
    }
  }

  const outcome = await new Promise<boolean>((resolve) => {
    rl.on('line', (line) => {
      const text = line.trim()
      if (text === '') return rl.prompt()
      if (text === '/quit' || text === '/exit') return rl.close()
      if (text === '/help') return session.say(HELP)
      if (text === '/switch') return resolve(true)
      if (text.startsWith('/attach')) {
        const [, path, ...rest] = text.split(/\s+/)
        if (!path) return session.say('usage: /attach PATH [text]')
        rl.pause()
        void uploadWithProgress(ctx, path, { conversationId: id })
          .then((file) => send(rest.join(' '), file.file_id))
          .catch((error: unknown) => session.say(colour.red(`not attached: ${error instanceof Error ? error.message : String(error)}`)))
          .finally(() => {
            rl.resume()
            rl.prompt()
          })
        return
      }
      // Clear the echoed line: the message comes back from the stream, with its seq.
      if (process.stdout.isTTY) process.stdout.write('\x1b[1A\x1b[2K')
      void send(text).then(() => rl.prompt())
    })
    rl.on('SIGINT', () => rl.close())
    rl.on('close', () => resolve(false))
    rl.prompt()
  })
  clearTimeout(typingTimer)
  process.stdin.off('keypress', onKey)
  stream.close()
  rl.removeAllListeners('close')
  rl.close()
  return outcome
}

export function chatCommand(): Command {
  return withCommonOptions(new Command('chat'))
    .description('interactive chat: pick a conversation, see it live with receipts and typing, type to send, /attach files')
    .argument('[conversation]', 'a conversation id or a username (otherwise pick from a list)')
    .addHelpText('after', `\nInside the chat:\n${HELP}`)
    .action(
      action(async (ctx, reference: string | undefined) => {
        if (ctx.json) throw new UsageError('chat is interactive and has no --json output; use history --follow --json')
        if (!process.stdin.isTTY) throw new UsageError('chat needs a terminal; for scripts use send and history --follow')
        let conversation = reference ? await resolveConversation(ctx, reference) : interactive() ? await pickConversation(ctx) : undefined
        if (!conversation) throw new UsageError('give a conversation')
        if (!ctx.me) await ctx.learnName((await ctx.client.auth.me()).user_id, ctx.profile?.username ?? 'you')
        while (await chatIn(ctx, conversation)) conversation = await pickConversation(ctx)
        process.exit(0)
      }),
    )
}
