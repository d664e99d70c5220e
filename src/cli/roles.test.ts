import { describe, expect, it } from 'vitest'
import { ConfigError } from '../config/load.js'
import { parseRoles } from '../app.js'

describe('serve --role', () => {
  it('runs the connectors with all or connector, on the channels named', () => {
    expect(parseRoles('all')).toMatchObject({ api: true, worker: true, relay: true, connector: true })
    expect(parseRoles('api,worker')).toMatchObject({ api: true, worker: true, relay: false, connector: false })
    expect(parseRoles('connector', 'whatsapp, telegram')).toEqual({ api: false, worker: false, relay: false, connector: true, connectorChannels: ['whatsapp', 'telegram'] })
  })

  it('refuses unknown channels, and --channels without the connector role', () => {
    expect(() => parseRoles('connector', 'sms')).toThrow(/unknown channel/)
    expect(() => parseRoles('worker', 'whatsapp')).toThrow(ConfigError)
  })
})
