import { connectorContract } from '../../ports/connector.contract.js'
import { startSimulator } from '../../simulators/index.js'
import { whatsappSimulatorDefaults as sim } from '../../simulators/whatsapp.js'
import { createWhatsAppConnector } from './whatsapp.js'

const verifyToken = 'contract-verify-token'

connectorContract('whatsapp', async () => {
  const simulator = await startSimulator('whatsapp', { deliveredDelayMs: 0, readDelayMs: 0 })
  return {
    simulatorUrl: simulator.url,
    verifyToken,
    contact: '+5511999998888',
    fixtures: new URL('../../../test/fixtures/channels/whatsapp/', import.meta.url),
    connector: (options = {}) =>
      createWhatsAppConnector({
        baseUrl: simulator.url,
        apiVersion: 'v23.0',
        phoneNumberId: sim.account,
        accessToken: options.badCredentials ? 'expired-token' : sim.accessToken,
        appSecret: sim.appSecret,
        verifyToken,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      }),
    close: () => simulator.close(),
  }
})
