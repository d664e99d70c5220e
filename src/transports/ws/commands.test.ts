import { describe, expect, it } from 'vitest'
import { AppError } from '../../core/errors.js'
import { commandId, parseCommand } from './commands.js'

const fieldOf = (raw: string) => {
  try {
    parseCommand(raw)
  } catch (error) {
    return (error as AppError).field
  }
  return 'no error'
}

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

  it('echoes only ids it can give back', () => {
    expect(commandId({ id: 'x' })).toBe('x')
    expect(commandId({ id: 12 })).toBe('12')
    expect(commandId({ id: { a: 1 } })).toBeUndefined()
    expect(commandId({ id: 'y'.repeat(65) })).toBeUndefined()
    expect(commandId(null)).toBeUndefined()
  })
})
