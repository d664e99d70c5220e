/**
 * @module Downloads a contact's file from its platform: a CDN link as given (Instagram), or the
 * URL and headers the connector's media lookup gives for a handle (WhatsApp media id, Telegram
 * file_id). Streams: nothing is held in memory.
 */
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { MediaFetcher } from '../core/channels/inbound-media.js'

export function createMediaFetcher(options: { readonly timeoutMs: number }): MediaFetcher {
  return async (connector, media) => {
    let url: string
    let headers: Readonly<Record<string, string>> = {}
    if (media.source.kind === 'url') url = media.source.url
    else {
      if (!connector.resolveMedia) throw new Error(`${connector.channel} cannot resolve media ids`)
      ;({ url, headers } = await connector.resolveMedia(media.source.mediaId))
    }
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs) })
    if (!response.ok || !response.body) throw new Error(`fetching ${connector.channel} media answered ${response.status}`)
    const contentType = response.headers.get('content-type') ?? undefined
    return { body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), ...(contentType ? { contentType } : {}) }
  }
}
