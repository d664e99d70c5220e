/**
 * @module What WhatsApp Cloud API and Instagram Messaging share as Meta Graph API platforms: the
 * `X-Hub-Signature-256` webhook signature, the GET subscription handshake, and the shape of
 * Graph errors with the codes common to both.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { DeliveryError, type DeliveryFailureReason, type WebhookAnswer, type WebhookRequest } from '../../ports/connector.js'
import { retryAfterMs, type HttpAnswer } from './http-call.js'
import { asNumber, asObject, asString } from './json.js'

/** True when `X-Hub-Signature-256` is `sha256=` + the hex HMAC-SHA256 of the raw body under the app secret. */
export function verifyHubSignature(request: WebhookRequest, appSecret: string): boolean {
  const header = request.headers['x-hub-signature-256']
  if (!header?.startsWith('sha256=')) return false
  const given = Buffer.from(header.slice('sha256='.length), 'hex')
  const expected = createHmac('sha256', appSecret).update(request.rawBody).digest()
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/**
 * Meta's subscription check: a GET with `hub.mode=subscribe`, our verify token and a challenge to
 * echo back. Undefined when the request is not such a GET; 403 when the token is wrong.
 */
export function answerHubChallenge(request: WebhookRequest, verifyToken: string): WebhookAnswer | undefined {
  if (request.method !== 'GET' || request.query['hub.mode'] === undefined) return undefined
  const challenge = request.query['hub.challenge'] ?? ''
  const given = Buffer.from(request.query['hub.verify_token'] ?? '')
  const expected = Buffer.from(verifyToken)
  const matches = request.query['hub.mode'] === 'subscribe' && given.length === expected.length && timingSafeEqual(given, expected)
  return matches
    ? { status: 200, contentType: 'text/plain', body: challenge }
    : { status: 403, contentType: 'text/plain', body: 'verify token mismatch' }
}

export interface GraphError {
  readonly code: number | undefined
  readonly subcode: number | undefined
  readonly message: string
  /** `error_data.details` (WhatsApp), more precise than the message. */
  readonly details: string | undefined
}

/** The `error` object of a Graph API answer. */
export function readGraphError(body: unknown): GraphError {
  const error = asObject(asObject(body)?.['error'])
  return {
    code: asNumber(error?.['code']),
    subcode: asNumber(error?.['error_subcode']),
    message: asString(error?.['message']) ?? (typeof body === 'string' ? body.slice(0, 200) : 'unknown error'),
    details: asString(asObject(error?.['error_data'])?.['details']),
  }
}

/** Graph codes that mean the same on every Meta messaging product. */
const commonCodes: Readonly<Record<number, DeliveryFailureReason>> = {
  1: 'unavailable', // API unknown: "possibly a temporary issue due to downtime"
  2: 'unavailable', // API service: temporary
  4: 'rate_limited', // application request limit
  17: 'rate_limited', // user request limit
  32: 'rate_limited', // page request limit
  613: 'rate_limited', // calls within one hour exceeded
  80007: 'rate_limited', // messaging rate limit
  0: 'unauthorized', // AuthException
  3: 'unauthorized', // API method / capability not granted
  10: 'unauthorized', // permission denied
  102: 'unauthorized', // API session
  190: 'unauthorized', // access token expired or invalid
}

/**
 * Turns a Graph error answer into a DeliveryError: the product's own codes first, then the common
 * ones, then the HTTP status (429 and 5xx transient, any other 4xx a permanent fault of the request).
 */
export function graphDeliveryError(answer: HttpAnswer, productCodes: (error: GraphError) => DeliveryFailureReason | undefined): DeliveryError {
  const error = readGraphError(answer.body)
  const reason =
    productCodes(error) ??
    (error.code !== undefined ? commonCodes[error.code] : undefined) ??
    (answer.status === 429 ? 'rate_limited' : answer.status >= 500 ? 'unavailable' : answer.status === 401 ? 'unauthorized' : 'content')
  return new DeliveryError(reason, error.details ? `${error.message}: ${error.details}` : error.message, {
    httpStatus: answer.status,
    ...(error.code !== undefined ? { platformCode: String(error.code) } : {}),
    ...(reason === 'rate_limited' ? rateLimitWait(answer) : {}),
    outcomeUnknown: answer.status >= 500,
  })
}

function rateLimitWait(answer: HttpAnswer): { retryAfterMs?: number } {
  const wait = retryAfterMs(answer.headers)
  return wait === undefined ? {} : { retryAfterMs: wait }
}
