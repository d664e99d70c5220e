import { connectorContract } from '../../ports/connector.contract.js'
import { startSimulator } from '../../simulators/index.js'
import { instagramSimulatorDefaults as sim } from '../../simulators/instagram.js'
import { createInstagramConnector } from './instagram.js'

const verifyToken = 'contract-verify-token'

connectorContract('instagram', async () => {
  const simulator = await startSimulator('instagram', { readDelayMs: 0 })
  return {
    simulatorUrl: simulator.url,
    verifyToken,
    contact: '1254459154682919',
    fixtures: new URL('../../../test/fixtures/channels/instagram/', import.meta.url),
    connector: (options = {}) =>
      createInstagramConnector({
        baseUrl: simulator.url,
        apiVersion: 'v23.0',
        accountId: sim.account,
        accessToken: options.badCredentials ? 'expired-token' : sim.accessToken,
        appSecret: sim.appSecret,
        verifyToken,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      }),
    close: () => simulator.close(),
  }
})
