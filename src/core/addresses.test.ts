import { describe, expect, it } from 'vitest'
import { parseReference } from './addresses.js'

describe('member references', () => {
  it('recognises channel addresses and normalises them', () => {
    expect(parseReference('whatsapp:+5511999998888')).toEqual({ kind: 'external', address: 'whatsapp:+5511999998888' })
    expect(parseReference('WhatsApp:+5511999998888')).toEqual({ kind: 'external', address: 'whatsapp:+5511999998888' })
    expect(parseReference('instagram:some.one')).toEqual({ kind: 'external', address: 'instagram:@some.one' })
    expect(parseReference('instagram:@some.one')).toEqual({ kind: 'external', address: 'instagram:@some.one' })
    expect(parseReference('telegram:123456789')).toEqual({ kind: 'external', address: 'telegram:123456789' })
    expect(parseReference('telegram:@botfather')).toEqual({ kind: 'external', address: 'telegram:@botfather' })
  })

  it('refuses malformed addresses and unknown channels with a reason', () => {
    expect(parseReference('whatsapp:5511').kind).toBe('invalid_external')
    expect(parseReference('whatsapp:+0123456789').kind).toBe('invalid_external')
    expect(parseReference('telegram:@ab').kind).toBe('invalid_external')
    const fax = parseReference('fax:+123')
    expect(fax).toMatchObject({ kind: 'invalid_external' })
    expect(fax.kind === 'invalid_external' && fax.reason).toContain('whatsapp, instagram, telegram')
  })

  it('tells user ids from usernames', () => {
    expect(parseReference('6F9619FF-8B86-4D01-B42D-00CF4FC964FF')).toEqual({
      kind: 'user_id',
      id: '6f9619ff-8b86-4d01-b42d-00cf4fc964ff',
    })
    expect(parseReference('alice.b')).toEqual({ kind: 'username', username: 'alice.b' })
  })
})
