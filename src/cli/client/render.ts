/** @module One line per message and per receipt change, for people (history, --follow, chat). */
import type { DeliveryStatus, Message, MessageStatusFrame } from '../../client/index.js'
import type { Context } from './context.js'
import { bytes, clock, colour } from './style.js'

const marks: Record<DeliveryStatus, string> = { SENT: '✓', DELIVERED: '✓✓', READ: '✓✓ read', FAILED: '✗ failed' }

export function statusMark(status: DeliveryStatus | undefined): string {
  if (!status) return ''
  const mark = marks[status]
  return status === 'READ' ? colour.blue(mark) : status === 'FAILED' ? colour.red(mark) : colour.dim(mark)
}

export function messageText(message: Message): string {
  if (message.payload.type === 'file') {
    const file = message.payload.file
    const about = file ? `${file.filename}, ${bytes(file.size_bytes)}` : message.payload.file_id
    return `📎 ${about} [${message.payload.file_id}]${message.payload.text ? ` ${message.payload.text}` : ''}`
  }
  return message.payload.text
}

/** `#12 10:32 alice: Hi Bob ✓✓` — the status mark only on your own messages. */
export function messageLine(ctx: Context, message: Message, status?: DeliveryStatus): string {
  const mine = message.sender_id === ctx.me
  const who = mine ? colour.green(ctx.nameOf(message.sender_id)) : colour.cyan(ctx.nameOf(message.sender_id))
  const mark = mine ? ` ${statusMark(status ?? message.status)}` : ''
  return `${colour.dim(`#${message.seq} ${clock(message.created_at)}`)} ${who}: ${messageText(message)}${mark}`
}

/** `  ✓✓ read by bob up to #12` */
export function receiptLine(ctx: Context, frame: MessageStatusFrame): string {
  const verb = { SENT: 'sent to', DELIVERED: 'delivered to', READ: 'read by', FAILED: 'failed for' }[frame.status]
  const icon = { SENT: '✓', DELIVERED: '✓✓', READ: '✓✓', FAILED: '✗' }[frame.status]
  const what = frame.message_id ? `#${frame.up_to_seq}` : `up to #${frame.up_to_seq}`
  const who = frame.member_id.includes(':') ? frame.member_id : ctx.nameOf(frame.member_id)
  return colour.dim(`  ${icon} ${verb} ${who} ${what}${frame.reason ? ` (${frame.reason})` : ''}`)
}
