/** @module A member's initial, or their channel's mark for an external contact (WhatsApp, Instagram, Telegram). */
import { channelOf, nameOf } from '../state/names.js'

const channelNames = { whatsapp: 'WhatsApp', instagram: 'Instagram', telegram: 'Telegram' } as const

export function ChannelMark({ member }: { member: string }) {
  const channel = channelOf(member)
  if (!channel) return null
  return (
    <span class={`channel channel-${channel}`} title={channelNames[channel]} aria-label={channelNames[channel]} role="img">
      {channel === 'whatsapp' ? 'WA' : channel === 'instagram' ? 'IG' : 'TG'}
    </span>
  )
}

export function Avatar({ label, member }: { label: string; member?: string }) {
  if (member && channelOf(member)) return <ChannelMark member={member} />
  return (
    <span class="avatar" aria-hidden="true">
      {label.slice(0, 1).toUpperCase()}
    </span>
  )
}

/** A conversation's name: its title, or the other member of a private one. */
export function titleOf(conversation: { summary: { type: string; title: string | null }; members: Map<string, unknown> | null }, me: string): string {
  if (conversation.summary.title) return conversation.summary.title
  const others = [...(conversation.members?.keys() ?? [])].filter((m) => m !== me)
  if (others.length === 0) return conversation.summary.type === 'group' ? 'Group' : 'Conversation'
  return others.map(nameOf).join(', ')
}

export function otherMember(conversation: { members: Map<string, unknown> | null }, me: string): string | undefined {
  return [...(conversation.members?.keys() ?? [])].find((m) => m !== me)
}
