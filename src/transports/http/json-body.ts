/**
 * @module JSON bodies: Fastify's own parser (with its prototype-poisoning guard), behind a bound on
 * nesting depth checked on the text, so no body can overflow the stack of whatever walks it later.
 */
import type { FastifyInstance } from 'fastify'
import { errors } from '../../core/errors.js'
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../core/json-depth.js'

export function boundJsonDepth(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (exceedsJsonDepth(text)) return done(errors.jsonTooDeep('body', MAX_JSON_DEPTH), undefined)
    parse(request, text, done)
  })
}
