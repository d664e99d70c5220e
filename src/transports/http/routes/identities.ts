/**
 * @module `/v1/users/me/identities`: the caller's linked external identities. `/v1/users/identities`
 * is the first Chat4All API's path for the same thing and stays.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { CoreContext } from '../../../core/context.js'
import { linkIdentity, listIdentities, unlinkIdentity } from '../../../core/identities.js'
import type { Identity } from '../../../ports/identity-store.js'
import { callerId, requireAuth } from '../auth.js'
import { iso } from '../present.js'

const IdentityBody = Type.Object(
  {
    platform: Type.String({ minLength: 1, maxLength: 50, description: 'whatsapp, instagram, telegram …' }),
    value: Type.String({ minLength: 1, maxLength: 200, description: 'The id on that platform: +5511999998888, an IGSID, a chat id' }),
  },
  { additionalProperties: false },
)
const IdentityParams = Type.Object({ platform: Type.String({ minLength: 1, maxLength: 50 }), value: Type.String({ minLength: 1, maxLength: 200 }) })

const present = (identity: Identity) => ({
  platform: identity.platform,
  value: identity.address.slice(identity.platform.length + 1),
  address: identity.address,
  created_at: iso(identity.createdAt),
})

export function identityRoutes(ctx: CoreContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))
    for (const base of ['/v1/users/me/identities', '/v1/users/identities']) {
      app.post(base, { schema: { body: IdentityBody } }, async (request, reply) => {
        const { identity, created } = await linkIdentity(ctx, callerId(request), request.body)
        return reply.status(created ? 201 : 200).send(present(identity))
      })
      app.get(base, async (request) => ({ identities: (await listIdentities(ctx, callerId(request))).map(present) }))
      app.delete(`${base}/:platform/:value`, { schema: { params: IdentityParams } }, async (request, reply) => {
        await unlinkIdentity(ctx, callerId(request), request.params)
        return reply.status(204).send()
      })
    }
  }
}
