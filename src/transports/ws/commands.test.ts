import { describe, expect, it } from 'vitest'
import { AppError } from '../../core/errors.js'
import { commandId, parseCommand as parse } from './commands.js'

const me = 'user-1'
const parseCommand = (raw: string) => parse(raw, me)

const failure = (raw: string) => {
  try {
    parseCommand(raw)
  } catch (error) {
    return error as AppError
  }
  return undefined
}
const fieldOf = (raw: string) => failure(raw)?.field ?? 'no error'
const conversation = '0b6f1d7e-4a51-4c52-9a0e-6f1f6a2b8c01'
const messageId = '7d1c2a9e-1f3b-4c5d-8e6f-0a1b2c3d4e5f'

describe('stream commands', () => {
  it('parses every command, with or without an id', () => {
    expect(parseCommand('{"type":"ack","conversation_id":"c","up_to_seq":4,"id":"a"}')).toEqual({
      type: 'ack',
      id: 'a',
      conversationId: 'c',
      upToSeq: 4,
    })
    expect(parseCommand('{"type":"read","conversation_id":"c","up_to_seq":0}')).toEqual({ type: 'read', conversationId: 'c', upToSeq: 0 })
    expect(parseCommand('{"type":"typing","conversation_id":"c","id":7}')).toEqual({ type: 'typing', id: '7', conversationId: 'c' })
    expect(parseCommand('{"type":"ping"}')).toEqual({ type: 'ping' })
  })

  it('names the field at fault', () => {
    expect(fieldOf('nope')).toBe('frame')
    expect(fieldOf('[1]')).toBe('type')
    expect(fieldOf('null')).toBe('frame')
    expect(fieldOf('{"type":"jump"}')).toBe('type')
    expect(fieldOf('{"type":"ack","up_to_seq":1}')).toBe('conversation_id')
    expect(fieldOf('{"type":"ack","conversation_id":"c","up_to_seq":"1"}')).toBe('up_to_seq')
    expect(fieldOf('{"type":"read","conversation_id":"c","up_to_seq":-2}')).toBe('up_to_seq')
    expect(fieldOf('{"type":"typing","conversation_id":""}')).toBe('conversation_id')
  })

  it('parses a send as POST /v1/messages would, either body form', () => {
    const frame = { type: 'send', id: 's1', message_id: messageId.toUpperCase(), conversation_id: conversation, payload: { type: 'text', text: 'hi' }, metadata: { k: 1 } }
    expect(parseCommand(JSON.stringify(frame))).toEqual({
      type: 'send',
      id: 's1',
      input: { messageId, conversationId: conversation, payload: { type: 'text', text: 'hi' }, metadata: { k: 1 } },
    })
    expect(parseCommand(JSON.stringify({ type: 'send', recipient_id: 'bob', content: 'yo', sender_id: me }))).toEqual({
      type: 'send',
      input: { messageId: undefined, conversationId: undefined, to: 'bob', toField: 'recipient_id', payload: { type: 'text', text: 'yo' }, metadata: undefined },
    })
  })

  it('refuses a send with the field and code POST /v1/messages gives', () => {
    const send = (body: Record<string, unknown>) => JSON.stringify({ type: 'send', id: 'x', ...body })
    expect(fieldOf(send({ conversation_id: conversation }))).toBe('payload')
    expect(fieldOf(send({ conversation_id: conversation, payload: { type: 'text', text: '' } }))).toBe('payload.text')
    expect(fieldOf(send({ conversation_id: 'nope', payload: { type: 'text', text: 'a' } }))).toBe('conversation_id')
    expect(fieldOf(send({ message_id: 'nope', conversation_id: conversation, payload: { type: 'text', text: 'a' } }))).toBe('message_id')
    expect(fieldOf(send({ conversation_id: conversation, payload: { type: 'text', text: 'a', colour: 'red' } }))).toBe('payload.colour')
    expect(fieldOf(send({ conversation_id: conversation, payload: { type: 'text', text: 'a' }, content: 'b' }))).toBe('content')
    expect(failure(send({ conversation_id: conversation, payload: { type: 'text', text: 'a' }, from: 'someone-else' }))?.code).toBe('sender_mismatch')
    expect(failure(send({ conversation_id: conversation, payload: { type: 'video' } }))?.code).toBe('validation_failed')
  })

  it('echoes only ids it can give back', () => {
    expect(commandId({ id: 'x' })).toBe('x')
    expect(commandId({ id: 12 })).toBe('12')
    expect(commandId({ id: { a: 1 } })).toBeUndefined()
    expect(commandId({ id: 'y'.repeat(65) })).toBeUndefined()
    expect(commandId(null)).toBeUndefined()
  })
})
