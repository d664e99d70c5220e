/**
 * @module `/v1/users/me/identities`: the caller's linked external identities. `/v1/users/identities`
 * is the first Chat4All API's path for the same thing and stays.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { CoreContext } from '../../../core/context.js'
import { linkIdentity, listIdentities, unlinkIdentity } from '../../../core/identities.js'
import type { Identity } from '../../../ports/identity-store.js'
import {
  authProblems,
  bodyProblems,
  Identity as IdentitySchema,
  IdentityBody,
  IdentityList,
  IdentityParams,
  paramProblems,
  problems,
  type Identity as WireIdentity,
} from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'
import { iso } from '../present.js'

const TAG = 'Identities'

const present = (identity: Identity): WireIdentity => ({
  platform: identity.platform,
  value: identity.address.slice(identity.platform.length + 1),
  address: identity.address,
  created_at: iso(identity.createdAt),
})

export function identityRoutes(ctx: CoreContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))
    for (const base of ['/v1/users/me/identities', '/v1/users/identities']) {
      // The first API's path stays, marked deprecated.
      const alias = base === '/v1/users/identities' ? { deprecated: true } : {}
      app.post(base, {
        schema: {
          ...doc(TAG, 'Link an identity on another platform', 'Messages from that address reach you; 201 when linked now, 200 when it was already yours.'),
          ...alias,
          body: IdentityBody,
          response: { 201: IdentitySchema, 200: IdentitySchema, ...problems(authProblems, bodyProblems, 'identity_taken') },
        },
      }, async (request, reply) => {
        const { identity, created } = await linkIdentity(ctx, callerId(request), request.body)
        return reply.status(created ? 201 : 200).send(present(identity))
      })
      app.get(base, { schema: { ...doc(TAG, 'Your linked identities'), ...alias, response: { 200: IdentityList, ...problems(authProblems) } } }, async (request) => ({ identities: (await listIdentities(ctx, callerId(request))).map(present) }))
      app.delete(`${base}/:platform/:value`, {
        schema: {
          ...doc(TAG, 'Unlink an identity'),
          ...alias,
          params: IdentityParams,
          response: { 204: { description: 'Unlinked' }, ...problems(authProblems, paramProblems, 'identity_not_found') },
        },
      }, async (request, reply) => {
        await unlinkIdentity(ctx, callerId(request), request.params)
        return reply.status(204).send()
      })
    }
  }
}
