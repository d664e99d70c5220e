/**
 * @module Instagram Messaging webhooks into our events: `entry[].messaging[]` with `message` from
 * contacts (echoes of our own sends left out), `read` (`messaging_seen`: `read.mid` means that
 * message and every earlier one; Messenger's `read.watermark` is a time) and Messenger-style
 * `delivery` (`mids`, `watermark`), which Instagram itself does not send today.
 */
import type { InboundEvent, InboundMessage, MediaKind, StatusUpdate } from '../../ports/connector.js'
import { asNumber, asObject, asString, objectsOf, type JsonObject } from './json.js'

const mediaKinds: Readonly<Record<string, MediaKind>> = { image: 'image', video: 'video', audio: 'audio', file: 'document' }

export function parseInstagramWebhook(body: JsonObject): InboundEvent[] {
  const events: InboundEvent[] = []
  for (const entry of objectsOf(body['entry'])) {
    const entryAccount = asString(entry['id']) ?? ''
    for (const item of objectsOf(entry['messaging'])) events.push(...messagingEvent(item, entryAccount))
  }
  return events
}

function messagingEvent(item: JsonObject, entryAccount: string): InboundEvent[] {
  const contact = asString(asObject(item['sender'])?.['id'])
  const at = asNumber(item['timestamp']) ?? 0
  if (!contact) return []
  const message = asObject(item['message'])
  if (message) {
    const account = asString(asObject(item['recipient'])?.['id']) ?? entryAccount
    return inboundMessages(message, contact, account, at)
  }
  const read = asObject(item['read'])
  if (read) return readStatus(read, contact, entryAccount, at)
  const delivery = asObject(item['delivery'])
  if (delivery) return deliveryStatuses(delivery, contact, entryAccount, at)
  return []
}

function inboundMessages(message: JsonObject, from: string, account: string, sentAt: number): InboundMessage[] {
  const mid = asString(message['mid'])
  // Our own sends come back as echoes on the same field; deleted and unsupported ones carry nothing.
  if (!mid || message['is_echo'] === true || message['is_deleted'] === true || message['is_unsupported'] === true) return []
  const replyTo = asString(asObject(message['reply_to'])?.['mid'])
  const base = { kind: 'message' as const, platformMessageId: mid, account, from, sentAt, ...(replyTo ? { replyTo } : {}) }
  const text = asString(message['text'])
  const files = objectsOf(message['attachments']).flatMap((attachment) => {
    const kind = mediaKinds[asString(attachment['type']) ?? '']
    const url = asString(asObject(attachment['payload'])?.['url'])
    return kind && url ? [{ kind, source: { kind: 'url' as const, url } }] : []
  })
  if (files.length === 0) return text === undefined ? [] : [{ ...base, eventId: mid, text }]
  // Several attachments in one Instagram message become one message each, in order.
  return files.map((media, i) => ({ ...base, eventId: i === 0 ? mid : `${mid}:${i}`, media, ...(i === 0 && text !== undefined ? { text } : {}) }))
}

function readStatus(read: JsonObject, recipient: string, account: string, at: number): StatusUpdate[] {
  const mid = asString(read['mid'])
  const watermark = asNumber(read['watermark'])
  const base = { kind: 'status' as const, account, recipient, status: 'READ' as const, at }
  if (mid) return [{ ...base, eventId: `read:${mid}`, target: { kind: 'up_to_message', platformMessageId: mid } }]
  if (watermark !== undefined) return [{ ...base, eventId: `read:${recipient}:${watermark}`, target: { kind: 'up_to_time', at: watermark } }]
  return []
}

function deliveryStatuses(delivery: JsonObject, recipient: string, account: string, at: number): StatusUpdate[] {
  const base = { kind: 'status' as const, account, recipient, status: 'DELIVERED' as const, at }
  const mids = (Array.isArray(delivery['mids']) ? delivery['mids'] : []).flatMap((mid) => asString(mid) ?? [])
  if (mids.length > 0) {
    return mids.map((mid) => ({ ...base, eventId: `delivery:${mid}`, target: { kind: 'message', platformMessageId: mid } }))
  }
  const watermark = asNumber(delivery['watermark'])
  return watermark === undefined ? [] : [{ ...base, eventId: `delivery:${recipient}:${watermark}`, target: { kind: 'up_to_time', at: watermark } }]
}
