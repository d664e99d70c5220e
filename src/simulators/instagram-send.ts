/** @module The checks the Send API makes of a `/me/messages` body for Instagram, with its error answers. */
import type { PlatformAnswer } from './shared/faults.js'
import { graphError } from './shared/meta.js'
import type { ReceivedMessage } from './shared/state.js'

type Checked =
  | { readonly kind: 'message'; readonly message: Omit<ReceivedMessage, 'id' | 'at'> }
  | { readonly kind: 'action'; readonly to: string }
  | { readonly error: PlatformAnswer }

const invalid = (message: string, subcode?: number) => ({ error: graphError(400, { message, code: 100, ...(subcode ? { error_subcode: subcode } : {}) }) })
const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
const object = (value: unknown) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined)

const senderActions = ['typing_on', 'typing_off', 'mark_seen']
const attachmentTypes = ['image', 'video', 'audio', 'file']

export function checkInstagramSend(raw: unknown): Checked {
  const body = object(raw)
  const to = text(object(body?.['recipient'])?.['id'])
  if (!body || !to) return invalid('(#100) param recipient must be non-empty.')
  // IGSIDs are numeric; anything else names nobody.
  if (!/^\d{1,32}$/.test(to)) return invalid('(#100) No matching user found', 2018001)
  const action = text(body['sender_action'])
  if (action !== undefined) return senderActions.includes(action) ? { kind: 'action', to } : invalid('(#100) param sender_action must be one of {TYPING_ON, TYPING_OFF, MARK_SEEN}')
  const message = object(body['message'])
  if (!message) return invalid('(#100) param message must be non-empty.')
  const content = text(message['text'])
  if (content !== undefined) {
    if (Buffer.byteLength(content) > 1000) return invalid('(#100) Length of param message[text] must be less than or equal to 1000')
    return { kind: 'message', message: { to, type: 'text', text: content } }
  }
  const attachment = object(message['attachment'])
  const type = text(attachment?.['type'])
  const url = text(object(attachment?.['payload'])?.['url'])
  if (!type || !attachmentTypes.includes(type)) return invalid('(#100) param message must have text or attachment.')
  if (!url || !/^https?:\/\//.test(url)) return invalid('(#100) Upload attachment failure.', 2018047)
  return { kind: 'message', message: { to, type, link: url } }
}
