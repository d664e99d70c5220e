/**
 * @module The checks the Cloud API makes of a `/messages` body before accepting it, with its
 * error answers: the product, the recipient, the type and its required fields.
 */
import type { ReceivedMessage } from './shared/state.js'
import type { PlatformAnswer } from './shared/faults.js'
import { graphError } from './shared/meta.js'

export const mediaTypes = ['image', 'video', 'audio', 'document'] as const

/** What a template message shows: its name, language and body parameters (the simulator renders no template text). */
const templateText = (name: string, language: string, parameters: readonly string[]) => `[template ${name} ${language}] ${parameters.join(' | ')}`

type Checked =
  | { readonly kind: 'message'; readonly message: Omit<ReceivedMessage, 'id' | 'at'> }
  | { readonly kind: 'read' }
  | { readonly error: PlatformAnswer }

const invalid = (message: string, code = 100) => ({ error: graphError(400, { message, code, details: message }) })
const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
const object = (value: unknown) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined)

export function checkWhatsAppSend(raw: unknown): Checked {
  const body = object(raw)
  if (!body || body['messaging_product'] !== 'whatsapp') return invalid('(#100) The parameter messaging_product is required.')
  if (body['status'] === 'read') {
    return text(body['message_id']) ? { kind: 'read' } : invalid('(#100) The parameter message_id is required.')
  }
  const to = text(body['to'])
  if (!to) return invalid('(#100) The parameter to is required.')
  if (!/^\+?[1-9]\d{7,14}$/.test(to)) return invalid('(#131009) Parameter value is not valid', 131009)
  const replyTo = text(object(body['context'])?.['message_id'])
  const base = { to, ...(replyTo ? { replyTo } : {}) }
  const type = text(body['type']) ?? 'text'
  if (type === 'text') {
    const content = text(object(body['text'])?.['body'])
    if (!content) return invalid('(#131008) Required parameter is missing', 131008)
    if ([...content].length > 4096) return invalid('(#100) Param text[body] must be at most 4096 characters long.')
    return { kind: 'message', message: { ...base, type, text: content } }
  }
  if (type === 'template') {
    const template = object(body['template'])
    const name = text(template?.['name'])
    const language = text(object(template?.['language'])?.['code'])
    if (!name || !language) return invalid('(#131008) Required parameter is missing: template.name and template.language.code', 131008)
    const parameters = (Array.isArray(template?.['components']) ? (template['components'] as unknown[]) : [])
      .map(object)
      .filter((component) => component?.['type'] === 'body')
      .flatMap((component) => (Array.isArray(component?.['parameters']) ? (component['parameters'] as unknown[]) : []))
      .map((parameter) => text(object(parameter)?.['text']) ?? '')
    if (parameters.some((parameter) => [...parameter].length > 1024)) return invalid('(#132000) Number of parameters does not match / parameter too long', 132000)
    return { kind: 'message', message: { ...base, type, text: templateText(name, language, parameters), template: name } }
  }
  if (!(mediaTypes as readonly string[]).includes(type)) return invalid(`(#131051) Unsupported message type: ${type}`, 131051)
  const media = object(body[type])
  const link = text(media?.['link'])
  if (!link && !text(media?.['id'])) return invalid(`(#131008) Required parameter is missing: ${type}.link or ${type}.id`, 131008)
  if (link && !/^https?:\/\//.test(link)) return invalid(`(#131009) Parameter value is not valid: ${type}.link`, 131009)
  const caption = text(media?.['caption'])
  const filename = text(media?.['filename'])
  return { kind: 'message', message: { ...base, type, ...(link ? { link } : {}), ...(caption ? { caption } : {}), ...(filename ? { filename } : {}) } }
}
