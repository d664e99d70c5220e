/** @module One message: who, what, when, and for your own, its ticks (per member on demand). */
import { useEffect, useState } from 'preact/hooks'
import type { Message, Receipt } from '../api/types.js'
import type { Chat } from '../state/chat.js'
import { tickOf, type ConversationState, type Tick } from '../state/model.js'
import { nameOf } from '../state/names.js'
import { ChannelMark } from './avatar.js'
import { bytes, clock } from './format.js'
import { ClockIcon, DownloadIcon } from './icons.js'

const tickText: Readonly<Record<Tick, string>> = { pending: '', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' }
const tickLabel: Readonly<Record<Tick, string>> = {
  pending: 'not sent yet',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
}

export function Ticks({ tick, onClick }: { tick: Tick; onClick?: () => void }) {
  const label = `${tickLabel[tick]}${onClick ? ', show receipts' : ''}`
  return onClick ? (
    <button class={`ticks tick-${tick}`} data-tick={tick} aria-label={label} title={label} onClick={onClick}>
      {tickText[tick]}
    </button>
  ) : (
    <span class={`ticks tick-${tick}`} data-tick={tick} aria-label={label} title={label} role="img">
      {tick === 'pending' ? <ClockIcon /> : tickText[tick]}
    </span>
  )
}

function FileView({ chat, fileId, file }: { chat: Chat; fileId: string; file: NonNullable<Extract<Message['payload'], { type: 'file' }>['file']> }) {
  const [src, setSrc] = useState<string | null>(null)
  const isImage = file.mimetype.startsWith('image/')
  useEffect(() => {
    if (isImage) void chat.api.download(fileId).then((d) => setSrc(d.download_url), () => undefined)
  }, [fileId, isImage])
  const download = async () => {
    const link = await chat.api.download(fileId)
    const a = document.createElement('a')
    a.href = link.download_url
    a.download = link.filename
    document.body.append(a)
    a.click()
    a.remove()
  }
  return (
    <div class="file" data-file={fileId}>
      {isImage && src && <img src={src} alt={file.filename} class="preview-image" loading="lazy" />}
      <button class="secondary download" onClick={() => void download()}>
        <DownloadIcon /> {file.filename} <span class="muted">({bytes(file.size_bytes)})</span>
      </button>
    </div>
  )
}

function ReceiptList({ chat, messageId }: { chat: Chat; messageId: string }) {
  const [receipts, setReceipts] = useState<Receipt[] | null>(null)
  useEffect(() => {
    void chat.api.receipts(messageId).then((m) => setReceipts(m.receipts), () => setReceipts([]))
  }, [messageId])
  if (!receipts) return <p class="receipts muted">Loading receipts…</p>
  return (
    <ul class="receipts" aria-label="Receipts">
      {receipts.map((r) => (
        <li key={r.member_id}>
          <ChannelMark member={r.member_id} /> {nameOf(r.member_id)}: <strong>{r.status.toLowerCase()}</strong>
          {r.read_at ? ` ${clock(r.read_at)}` : r.delivered_at ? ` ${clock(r.delivered_at)}` : ''}
          {r.reason ? ` (${r.reason})` : ''}
        </li>
      ))}
    </ul>
  )
}

interface Props {
  readonly chat: Chat
  readonly conversation: ConversationState
  readonly message: Message
  readonly showSender: boolean
}

export function MessageItem({ chat, conversation, message, showSender }: Props) {
  const [showReceipts, setShowReceipts] = useState(false)
  const me = chat.state.me?.user_id ?? ''
  const mine = message.sender_id === me
  const payload = message.payload
  const tick = mine ? tickOf(conversation, me, message) : null
  return (
    <li class={`message ${mine ? 'mine' : 'theirs'}`} data-seq={message.seq} data-message-id={message.message_id}>
      {showSender && !mine && (
        <span class="sender">
          <ChannelMark member={message.sender_id} /> {nameOf(message.sender_id)}
        </span>
      )}
      {payload.type === 'file' && payload.file && <FileView chat={chat} fileId={payload.file_id} file={payload.file} />}
      {payload.text && <p class="text">{payload.text}</p>}
      <span class="meta">
        <time dateTime={message.created_at}>{clock(message.created_at)}</time>
        {tick && <Ticks tick={tick} onClick={() => setShowReceipts(!showReceipts)} />}
      </span>
      {showReceipts && <ReceiptList chat={chat} messageId={message.message_id} />}
    </li>
  )
}
