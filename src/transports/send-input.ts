/**
 * @module A message body from a transport that has no schema validation of its own (the stream's
 * `send` command). It goes through what POST /v1/messages uses: the same schema, compiled by the
 * same validator compiler, failures named by the same mapping, and the same normalisation.
 */
import type { SendInput } from '../core/messaging.js'
import { toAppError } from './http/problem.js'
import { toSendInput } from './http/routes/send-body.js'
import { SendMessageBody } from '../wire/index.js'
import { createValidatorCompiler } from './http/validation.js'

const validate = createValidatorCompiler()({ schema: SendMessageBody, method: 'POST', url: '/v1/messages', httpPart: 'body' })

/** The body as a SendInput; throws the AppError POST /v1/messages would answer with. */
export function readSendBody(body: unknown, callerId: string): SendInput {
  if (validate(body) !== true) {
    // Shaped like Fastify's own validation error, so the field and wording match the HTTP answer.
    const failure = Object.assign(new Error('invalid message body'), { validation: validate.errors ?? [], validationContext: 'body' })
    throw toAppError(failure)
  }
  return toSendInput(body as SendMessageBody, callerId)
}
