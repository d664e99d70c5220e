/**
 * @module How a tus PATCH maps onto fixed-size chunks. The upload stands at `offset`: every chunk
 * before `floor(offset / chunkSize)` is stored as a part, and the bytes of the current chunk
 * received so far wait in a tail object. A PATCH of `length` bytes then completes chunks (the
 * first one prefixed with the old tail) and leaves what does not fill a chunk as the new tail.
 * Pure arithmetic: the sizes of every piece are known before a byte is read.
 */

export type Segment =
  | {
      readonly kind: 'part'
      readonly index: number
      /** Bytes of the stored tail that go first. */
      readonly fromTail: number
      /** Bytes of the request that follow. */
      readonly take: number
    }
  | { readonly kind: 'tail'; readonly fromTail: number; readonly take: number }

export interface SegmentPlanInput {
  readonly offset: number
  readonly length: number
  readonly sizeBytes: number
  readonly chunkSize: number
}

export function planSegments({ offset, length, sizeBytes, chunkSize }: SegmentPlanInput): Segment[] {
  if (offset + length > sizeBytes) throw new RangeError('the segments would run past the end of the file')
  const segments: Segment[] = []
  let position = offset
  let remaining = length
  let fromTail = offset % chunkSize
  while (remaining > 0) {
    const index = Math.floor(position / chunkSize)
    const chunkEnd = Math.min((index + 1) * chunkSize, sizeBytes)
    const take = Math.min(chunkEnd - position, remaining)
    segments.push(position + take === chunkEnd ? { kind: 'part', index, fromTail, take } : { kind: 'tail', fromTail, take })
    position += take
    remaining -= take
    fromTail = 0
  }
  return segments
}
