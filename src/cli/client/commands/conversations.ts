/** @module `chat4all conversations [list|create|show|add|remove]`. */
import { Command } from 'commander'
import type { Conversation, ConversationSummary } from '../../../client/index.js'
import { action, withCommonOptions, type Context } from '../context.js'
import { UsageError } from '../exit-codes.js'
import { learnPrivate, titleOf } from '../resolve.js'
import { colour, relativeTime, table } from '../style.js'

function preview(summary: ConversationSummary): string {
  const message = summary.last_message
  if (!message) return colour.dim('(no messages)')
  const text = message.payload.type === 'file' ? `📎 ${message.payload.file?.filename ?? 'file'} ${message.payload.text ?? ''}` : message.payload.text
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine
}

function printConversation(ctx: Context, conversation: Conversation): void {
  if (ctx.json) return ctx.printJson(conversation)
  ctx.print(`${colour.bold(titleOf(ctx, conversation))}  ${colour.dim(conversation.conversation_id)}`)
  ctx.print(`${conversation.type} · ${conversation.last_seq} messages · created ${relativeTime(conversation.created_at)} · last activity ${relativeTime(conversation.last_activity_at)}`)
  if (!conversation.members) return
  ctx.print()
  ctx.print(
    table(
      ['MEMBER', 'ID', 'ROLE', 'DELIVERED', 'READ'],
      conversation.members.map((m) => [m.kind === 'user' ? ctx.nameOf(m.member_id) : m.member_id, m.member_id, m.role, `#${m.delivered_up_to_seq}`, `#${m.read_up_to_seq}`]),
    ),
  )
}

export function conversationsCommand(): Command {
  const list = withCommonOptions(new Command('list'))
    .description('your conversations, most recent activity first (the default)')
    .option('--limit <n>', 'show at most this many', '50')
    .action(
      action(async (ctx, options: { limit: string }) => {
        const limit = Number(options.limit)
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number ≥ 1, got '${options.limit}'`)
        const items: ConversationSummary[] = []
        for await (const c of ctx.client.conversations.all(Math.min(limit, 200))) {
          items.push(c)
          if (items.length >= limit) break
        }
        if (ctx.json) return ctx.printJson({ conversations: items })
        // Lists carry no members: a private conversation is named after the other member, so read those.
        const named = await Promise.all(
          items.map(async (c) => (c.type === 'private' && !c.title ? { ...c, members: (await ctx.client.conversations.get(c.conversation_id)).members } : c)),
        )
        if (named.length === 0) return ctx.print('No conversations yet. Start one: chat4all send <username> "hello"')
        ctx.print(
          table(
            ['ID', 'TITLE', 'TYPE', 'UNREAD', 'ACTIVE', 'LAST MESSAGE'],
            named.map((c) => [
              c.conversation_id,
              titleOf(ctx, c),
              c.type,
              c.unread_count > 0 ? colour.yellow(String(c.unread_count)) : '0',
              relativeTime(c.last_activity_at),
              preview(c),
            ]),
          ),
        )
      }),
    )

  const create = withCommonOptions(new Command('create'))
    .description('start a conversation: private with one member, or a --group')
    .argument('<members...>', 'usernames, user ids or channel addresses (whatsapp:+5511…, instagram:…, telegram:…)')
    .option('--group', 'a group conversation (otherwise private, with exactly one member)')
    .option('--title <title>', 'the group title')
    .action(
      action(async (ctx, members: string[], options: { group?: boolean; title?: string }) => {
        if (!options.group && members.length !== 1) throw new UsageError('a private conversation has exactly one other member; add --group for more')
        if (options.title && !options.group) throw new UsageError('--title is for groups (add --group)')
        const conversation = await ctx.client.conversations.create({
          type: options.group ? 'group' : 'private',
          members,
          ...(options.title ? { title: options.title } : {}),
        })
        if (!options.group) await learnPrivate(ctx, conversation, members[0]!)
        if (ctx.json) return ctx.printJson(conversation)
        ctx.print(`${conversation.conversation_id}  ${titleOf(ctx, conversation)}`)
      }),
    )

  const show = withCommonOptions(new Command('show'))
    .description('one conversation with its members and their receipts watermarks')
    .argument('<conversation>', 'the conversation id')
    .action(action(async (ctx, id: string) => printConversation(ctx, await ctx.client.conversations.get(id))))

  const add = withCommonOptions(new Command('add'))
    .description('add members to a group (owners and admins)')
    .argument('<conversation>', 'the conversation id')
    .argument('<members...>', 'usernames, user ids or channel addresses')
    .option('--role <role>', 'admin or member', 'member')
    .action(
      action(async (ctx, id: string, members: string[], options: { role: string }) => {
        if (options.role !== 'admin' && options.role !== 'member') throw new UsageError(`--role is admin or member, got '${options.role}'`)
        const result = await ctx.client.conversations.addMembers(id, members, options.role)
        if (ctx.json) return ctx.printJson(result)
        ctx.print(result.added.length === 0 ? 'Nobody added: they were members already.' : `Added ${result.added.length} member(s).`)
      }),
    )

  const remove = withCommonOptions(new Command('remove'))
    .description('remove a member (owners and admins; anyone may remove themselves)')
    .argument('<conversation>', 'the conversation id')
    .argument('<member>', 'the member: a user id or channel address')
    .action(
      action(async (ctx, id: string, member: string) => {
        await ctx.client.conversations.removeMember(id, member)
        if (ctx.json) return ctx.printJson({ conversation_id: id, removed: member })
        ctx.print(`Removed ${member}.`)
      }),
    )

  return new Command('conversations')
    .alias('conv')
    .description('list, create and inspect conversations, and manage their members')
    .addCommand(list, { isDefault: true })
    .addCommand(create)
    .addCommand(show)
    .addCommand(add)
    .addCommand(remove)
}
