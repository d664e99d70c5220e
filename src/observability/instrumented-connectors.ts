/**
 * @module The connectors, measured: sends by channel and outcome, errors by kind (the
 * DeliveryError reason), and the lag of platform status callbacks (the platform's timestamp to our
 * parsing it). Wrapped around the connector definitions in the composition root, so no connector and
 * no channel worker knows about metrics.
 */
import type { Connector, ConnectorDefinition } from '../ports/connector.js'
import { DeliveryError } from '../ports/delivery-error.js'
import type { PlatformMetrics } from '../ports/metrics.js'
import { overlay } from './overlay.js'

function instrumentConnector(connector: Connector, metrics: PlatformMetrics, now: () => number): Connector {
  const { channel } = connector
  return overlay<Connector>(connector, {
    send: async (...args: Parameters<Connector['send']>) => {
      try {
        const result = await connector.send(...args)
        metrics.connectorSends.inc({ channel, outcome: 'sent' })
        return result
      } catch (error) {
        const kind = error instanceof DeliveryError ? error.reason : 'unexpected'
        metrics.connectorSends.inc({ channel, outcome: error instanceof DeliveryError && error.permanent ? 'failed' : 'retry' })
        metrics.connectorErrors.inc({ channel, kind })
        throw error
      }
    },
    parseWebhook: (...args: Parameters<Connector['parseWebhook']>) => {
      const events = connector.parseWebhook(...args)
      const at = now()
      for (const event of events) {
        if (event.kind === 'status') metrics.connectorCallbackLag.observe(Math.max(0, at - event.at) / 1000, { channel })
      }
      return events
    },
  })
}

export function instrumentConnectors(
  definitions: Readonly<Record<string, ConnectorDefinition>>,
  metrics: PlatformMetrics,
  now: () => number = Date.now,
): Readonly<Record<string, ConnectorDefinition>> {
  if (!metrics.enabled) return definitions
  return Object.fromEntries(
    Object.entries(definitions).map(([name, definition]) => [
      name,
      { ...definition, create: (values: Readonly<Record<string, string>>) => instrumentConnector(definition.create(values), metrics, now) },
    ]),
  )
}
