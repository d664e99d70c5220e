/**
 * @module The store contract: one suite every Store adapter must pass, run against the real engine.
 * An adapter's test calls `storeContract(name, make)`, where `make` opens a new, empty store.
 */
import { describe } from 'vitest'
import { adminContract } from './store-contract/admins.js'
import { channelContract } from './store-contract/channels.js'
import { conversationListContract } from './store-contract/conversation-list.js'
import { conversationContract } from './store-contract/conversations.js'
import { deadLetterContract } from './store-contract/dead-letters.js'
import { fileContract } from './store-contract/files.js'
import type { StoreFactory } from './store-contract/harness.js'
import { liveContract } from './store-contract/live.js'
import { lockContract } from './store-contract/locks.js'
import { messageContract } from './store-contract/messages.js'
import { outboxContract } from './store-contract/outbox.js'
import { operationsContract } from './store-contract/operations.js'
import { receiptContract } from './store-contract/receipts.js'
import { storeRateLimitContract } from './store-contract/rate-limits.js'
import { sessionContract } from './store-contract/sessions.js'
import { userContract } from './store-contract/users.js'
import { watermarkContract } from './store-contract/watermarks.js'
import { webhookContract } from './store-contract/webhooks.js'

export type { StoreFactory, StoreHandle } from './store-contract/harness.js'

export function storeContract(name: string, make: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    userContract(make)
    sessionContract(make)
    storeRateLimitContract(make)
    conversationContract(make)
    conversationListContract(make)
    messageContract(make)
    receiptContract(make)
    watermarkContract(make)
    outboxContract(make)
    operationsContract(make)
    fileContract(make)
    webhookContract(make)
    liveContract(make)
    adminContract(make)
    deadLetterContract(make)
    channelContract(make)
    lockContract(make)
  })
}
