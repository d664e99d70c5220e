/**
 * @module WhatsApp Cloud API error codes that decide retrying: the documented codes of sends and
 * of `failed` statuses (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
 */
import type { DeliveryFailureReason } from '../../ports/connector.js'
import type { GraphError } from './meta-graph.js'

const codes: Readonly<Record<number, DeliveryFailureReason>> = {
  130429: 'rate_limited', // throughput reached
  131048: 'rate_limited', // spam rate limit
  131056: 'rate_limited', // too many messages to one recipient (pair rate limit)
  131000: 'unavailable', // something went wrong
  131016: 'unavailable', // service unavailable
  133004: 'unavailable', // server temporarily unavailable
  131026: 'bad_recipient', // undeliverable: not on WhatsApp, old app, or not accepted terms
  131030: 'bad_recipient', // not in the allowed list (test numbers)
  131047: 'policy', // re-engagement: more than 24 hours since the contact last wrote
  131049: 'policy', // not delivered to keep a healthy ecosystem
  131031: 'policy', // business account locked
  368: 'policy', // temporarily blocked for policy violations
  131051: 'content', // unsupported message type
  131052: 'content', // media download error (the link could not be fetched)
  131053: 'content', // media upload error
  131008: 'content', // required parameter missing
  131009: 'content', // parameter value invalid
  100: 'content', // invalid parameter
  131005: 'unauthorized', // access denied
}

export function whatsappReason(error: Pick<GraphError, 'code'>): DeliveryFailureReason | undefined {
  return error.code === undefined ? undefined : codes[error.code]
}
