/** @module Which kind of platform attachment a file goes as, from its MIME type. */
import type { MediaKind } from '../../ports/connector.js'

/** `image/*`, `video/*`, `audio/*` by their family; anything else is a document. */
export function mediaKindOf(mimeType: string): MediaKind {
  const family = mimeType.split('/', 1)[0]?.trim().toLowerCase()
  if (family === 'image' || family === 'video' || family === 'audio') return family
  return 'document'
}
