/**
 * @module A contact's file, into a Chat4All file: fetched from the platform (through the connector's
 * media lookup where the platform gives a handle, not a link) and stored like an upload, owned by
 * the account owner, readable by the conversation it lands in.
 */
import type { Readable } from 'node:stream'
import { attachedFile } from '../files/access.js'
import type { FilesContext } from '../files/context.js'
import { uploadSimple } from '../files/simple.js'
import type { AttachedFile } from '../model.js'
import type { Connector, InboundMedia } from '../../ports/connector.js'

/** Fetches an inbound media's bytes (I/O: handed in by the composition root). */
export type MediaFetcher = (connector: Connector, media: InboundMedia) => Promise<{ readonly body: Readable; readonly contentType?: string }>

export type MediaStorer = (
  connector: Connector,
  media: InboundMedia,
  conversationId: string,
) => Promise<{ readonly fileId: string; readonly file: AttachedFile } | undefined>

export function createInboundMedia(deps: { readonly fx: FilesContext; readonly fetchMedia: MediaFetcher; readonly ownerUsername?: string }): MediaStorer {
  return async (connector, media, conversationId) => {
    const owner = await deps.fx.store.findChannelOwner(deps.ownerUsername)
    if (!owner) return undefined
    const fetched = await deps.fetchMedia(connector, media)
    const contentType = media.mimeType ?? fetched.contentType
    const record = await uploadSimple(deps.fx, owner, {
      filename: media.filename ?? `${connector.channel}-${media.kind}`,
      contentType,
      body: fetched.body,
    })
    await deps.fx.store.grantFileAccess(record.id, conversationId, deps.fx.now())
    return { fileId: record.id, file: attachedFile({ filename: record.filename, sizeBytes: record.sizeBytes, contentType: record.contentType, sha256: record.sha256 ?? '' }) }
  }
}
