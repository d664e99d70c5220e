/** Recorded platform webhooks (test/fixtures/channels/<platform>/*.json) as the requests that carry them. */
import { createHmac } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import type { WebhookRequest } from '../../src/ports/connector.js'

const root = new URL('../fixtures/channels/', import.meta.url)

export function fixtureNames(platform: string): string[] {
  return readdirSync(new URL(`${platform}/`, root))
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
}

export function fixtureBody(platform: string, name: string): Buffer {
  return readFileSync(new URL(`${platform}/${name}.json`, root))
}

/** A POST of the fixture's exact bytes with the given headers. */
export function fixtureRequest(platform: string, name: string, headers: Record<string, string> = {}): WebhookRequest {
  return { method: 'POST', headers, query: {}, rawBody: fixtureBody(platform, name) }
}

/** Signed as Meta signs: `sha256=` + hex HMAC-SHA256 of the raw body with the app secret. */
export function metaSignature(body: Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`
}
