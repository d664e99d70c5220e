/**
 * @module The channels Chat4All can reach, by name. Adding a channel is one connector file and one
 * line here: its address scheme, settings and factory come with its definition, so neither the
 * core nor the configuration names channels (docs/connectors.md).
 */
import type { AddressScheme, ConnectorDefinition } from '../../ports/connector.js'
import { instagramConnector } from './instagram.js'
import { telegramConnector } from './telegram.js'
import { whatsappConnector } from './whatsapp.js'

export const connectorDefinitions = {
  whatsapp: whatsappConnector,
  instagram: instagramConnector,
  telegram: telegramConnector,
} as const satisfies Readonly<Record<string, ConnectorDefinition>>

export type ConnectorName = keyof typeof connectorDefinitions

/** Every channel's address scheme, for validating `<channel>:<id>` member references. */
export const addressSchemes: readonly AddressScheme[] = Object.values(connectorDefinitions).map((d) => d.addresses)

export function isConnectorName(name: string): name is ConnectorName {
  return Object.hasOwn(connectorDefinitions, name)
}
