import { describe, expect, it } from 'vitest'
import { DeliveryError } from '../../ports/connector.js'
import { decideRetry } from './retry-delay.js'
import { mediaKindOf } from './media-kind.js'

const policy = { maxAttempts: 3, baseMs: 100, capMs: 10_000, jitter: 0 }

describe('retry decision after a connector failure', () => {
  it('gives up at once on a permanent failure', () => {
    expect(decideRetry(new DeliveryError('policy', 'outside the 24 h window'), 1, policy)).toEqual({
      retry: false,
      permanent: true,
      reason: 'policy: outside the 24 h window',
    })
  })

  it('backs off on transient failures, never sooner than retry-after', () => {
    expect(decideRetry(new DeliveryError('unavailable', 'HTTP 500'), 2, policy)).toEqual({ retry: true, delayMs: 200 })
    expect(decideRetry(new DeliveryError('rate_limited', '429', { retryAfterMs: 7000 }), 1, policy)).toEqual({ retry: true, delayMs: 7000 })
    expect(decideRetry(new Error('socket hang up'), 1, policy)).toEqual({ retry: true, delayMs: 100 })
  })

  it('gives up, not permanently, once the attempts are used', () => {
    expect(decideRetry(new DeliveryError('timeout', 'no answer'), 3, policy)).toMatchObject({ retry: false, permanent: false })
  })
})

describe('media kind', () => {
  it('follows the MIME family, documents for the rest', () => {
    expect(['image/png', 'video/mp4', 'audio/ogg; codecs=opus', 'application/pdf', ''].map(mediaKindOf)).toEqual([
      'image',
      'video',
      'audio',
      'document',
      'document',
    ])
  })
})
