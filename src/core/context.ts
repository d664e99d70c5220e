/** @module What the use cases need from the outside world, handed in by the composition root. */
import type { Store } from '../ports/store.js'
import type { TokenService } from './tokens.js'

export interface Limits {
  readonly maxGroupMembers: number
  /** UTF-8 bytes of a message's text. */
  readonly maxTextBytes: number
  readonly maxMetadataBytes: number
}

export interface CoreContext {
  readonly store: Store
  readonly tokens: TokenService
  readonly limits: Limits
  /** Epoch milliseconds; tests may pass their own clock. */
  readonly now: () => number
  readonly newId: () => string
}
