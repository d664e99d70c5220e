import { fanoutContract } from '../../ports/fanout.contract.js'
import { createMemoryFanout } from './memory.js'

fanoutContract('memory', async () => {
  const fanout = createMemoryFanout()
  return { publisher: fanout, subscriber: fanout, cleanup: () => fanout.close() }
})
