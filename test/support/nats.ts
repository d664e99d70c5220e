/**
 * Where the NATS suites find their server (JetStream enabled). Absent on a laptop, they skip loudly;
 * under CI=true they must run, so a missing server fails the run instead.
 */
import { connect } from '@nats-io/transport-node'

export const natsUrl = process.env['CHAT4ALL_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222'

export async function natsAvailable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, ''), timeout: 2_000, reconnect: false })
    await nc.close()
    return true
  } catch (error) {
    if (process.env['CI'] === 'true') {
      throw new Error(`NATS is required under CI=true but ${natsUrl} is unreachable: ${String(error)}`)
    }
    console.warn(`\n⚠️  SKIPPING NATS suites: ${natsUrl} is unreachable (${String(error)}).\n`)
    return false
  }
}

/** A name no other test run uses, for streams, consumers and subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}
