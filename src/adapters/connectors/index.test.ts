/**
 * The registry, and how the connectors' address schemes compare with the patterns core/addresses.ts
 * holds today: phase 2 replaces those patterns with these schemes, so every difference is pinned here.
 */
import { describe, expect, it } from 'vitest'
import { parseReference } from '../../core/addresses.js'
import { addressSchemes, connectorDefinitions, isConnectorName } from './index.js'

const scheme = (channel: string) => addressSchemes.find((s) => s.channel === channel)
const viaScheme = (reference: string) => {
  const [channel = '', ...rest] = reference.split(':')
  const parsed = scheme(channel)?.parse(rest.join(':'))
  return parsed?.ok ? `${channel}:${parsed.id}` : undefined
}
const viaCore = (reference: string) => {
  const parsed = parseReference(reference)
  return parsed.kind === 'external' ? parsed.address : undefined
}

describe('connector registry', () => {
  it('registers each channel under its own name, with its scheme and settings', () => {
    for (const [name, definition] of Object.entries(connectorDefinitions)) {
      expect(isConnectorName(name)).toBe(true)
      expect(definition.channel).toBe(name)
      expect(definition.addresses.channel).toBe(name)
      expect(definition.settings.every((s) => s.env.startsWith(`CHAT4ALL_${name.toUpperCase()}_`))).toBe(true)
    }
    expect(isConnectorName('toString')).toBe(false)
  })

  it('builds a connector from its settings, for the account they name', () => {
    const telegram = connectorDefinitions.telegram.create({ CHAT4ALL_TELEGRAM_BOT_TOKEN: '123:abc' })
    expect({ channel: telegram.channel, account: telegram.account }).toEqual({ channel: 'telegram', account: '123' })
  })
})

describe('address schemes against today’s core patterns', () => {
  it('agree where the platforms agree with today’s rules', () => {
    for (const reference of ['whatsapp:+5511999998888', 'telegram:123456789', 'telegram:-1001234567890', 'instagram:@maria.silva']) {
      expect(viaScheme(reference), reference).toBe(viaCore(reference))
    }
    for (const reference of ['whatsapp:+0511999998888', 'whatsapp:abc', 'telegram:@abc', 'instagram:no spaces']) {
      expect([viaScheme(reference), viaCore(reference)], reference).toEqual([undefined, undefined])
    }
  })

  it('differ where the platforms do: handles are lower case, a missing plus is added', () => {
    // A bare number is an IGSID for both (routing needs it sendable).
    expect([viaCore('instagram:1254459154682919'), viaScheme('instagram:1254459154682919')]).toEqual(['instagram:1254459154682919', 'instagram:1254459154682919'])
    // Instagram and Telegram usernames are case-insensitive: one spelling per contact.
    expect([viaCore('instagram:@Maria'), viaScheme('instagram:@Maria')]).toEqual(['instagram:@Maria', 'instagram:@maria'])
    expect([viaCore('telegram:@Chat4All_News'), viaScheme('telegram:@Chat4All_News')]).toEqual(['telegram:@Chat4All_News', 'telegram:@chat4all_news'])
    // WhatsApp takes numbers with or without the plus.
    expect([viaCore('whatsapp:5511999998888'), viaScheme('whatsapp:5511999998888')]).toEqual([undefined, 'whatsapp:+5511999998888'])
  })
})
