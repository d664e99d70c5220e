/**
 * @module Telegram Bot API error answers (`{ok: false, error_code, description, parameters}`) as
 * DeliveryErrors. Telegram's codes are HTTP statuses; what went wrong within a 400 is only in the
 * description, so the recipient problems are told apart by its documented wording.
 */
import { DeliveryError, type DeliveryFailureReason } from '../../ports/connector.js'
import { retryAfterMs, type HttpAnswer } from './http-call.js'
import { asNumber, asObject, asString } from './json.js'

const recipientProblems = /chat not found|user not found|peer_id_invalid|bot was blocked|bot was kicked|user is deactivated|upgraded to a supergroup|not enough rights|have no rights/i

function reasonOf(code: number, description: string): DeliveryFailureReason {
  if (code === 429) return 'rate_limited'
  if (code >= 500) return 'unavailable'
  // A wrong token answers 401 (or 404 for a malformed one); 409 is a webhook/getUpdates conflict.
  if (code === 401 || code === 404 || code === 409) return 'unauthorized'
  if (code === 403 || recipientProblems.test(description)) return 'bad_recipient'
  return 'content'
}

export function telegramDeliveryError(answer: HttpAnswer): DeliveryError {
  const body = asObject(answer.body)
  const code = asNumber(body?.['error_code']) ?? answer.status
  const description = asString(body?.['description']) ?? (typeof answer.body === 'string' ? answer.body.slice(0, 200) : 'unknown error')
  const reason = reasonOf(code, description)
  const retryAfterSeconds = asNumber(asObject(body?.['parameters'])?.['retry_after'])
  const wait = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : retryAfterMs(answer.headers)
  return new DeliveryError(reason, description, {
    httpStatus: answer.status,
    platformCode: String(code),
    ...(reason === 'rate_limited' && wait !== undefined ? { retryAfterMs: wait } : {}),
    outcomeUnknown: code >= 500,
  })
}
