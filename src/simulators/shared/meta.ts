/**
 * @module What the two simulated Meta platforms share: webhook signatures as Meta makes them
 * (`X-Hub-Signature-256`, and the legacy SHA-1 `X-Hub-Signature`), Graph error bodies, ids, and
 * the access token check (a Bearer header or an `access_token` parameter).
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Signer } from './callbacks.js'
import type { PlatformAnswer } from './faults.js'

export function metaSigner(appSecret: string): Signer {
  return (body, valid) => {
    const secret = valid ? appSecret : `${appSecret}-not`
    return {
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
    }
  }
}

export function graphError(status: number, fields: { message: string; type?: string; code: number; error_subcode?: number; details?: string }): PlatformAnswer {
  const { details, ...rest } = fields
  return {
    status,
    body: {
      error: {
        type: 'OAuthException',
        ...rest,
        ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
        fbtrace_id: randomBytes(8).toString('base64url'),
      },
    },
  }
}

/** The token a Graph call carries, from `Authorization: Bearer` or the `access_token` parameter. */
export function graphToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length)
  const query = request.query as Record<string, unknown> | undefined
  return typeof query?.['access_token'] === 'string' ? query['access_token'] : undefined
}

/** Opaque ids that look like the platform's (base64 with its prefix). */
export function platformId(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64')}`
}

/** Epoch seconds as the text WhatsApp puts in `timestamp`. */
export const epochSeconds = () => String(Math.floor(Date.now() / 1000))

/**
 * Meta's subscription check, as its dashboard makes it: a GET to the callback URL with
 * `hub.mode=subscribe`, the verify token and a challenge that must come back as the body.
 */
export async function metaHandshake(webhookUrl: string, verifyToken: string): Promise<{ verified: boolean; status: number | null }> {
  const challenge = String(randomBytes(4).readUInt32BE())
  const url = new URL(webhookUrl)
  url.searchParams.set('hub.mode', 'subscribe')
  url.searchParams.set('hub.verify_token', verifyToken)
  url.searchParams.set('hub.challenge', challenge)
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
    return { verified: response.status === 200 && (await response.text()) === challenge, status: response.status }
  } catch {
    return { verified: false, status: null }
  }
}
