/** @module "Accepted means stored": checks through the API that every 202 is in the history. */
import { Api, forEachLimit, pageHistory } from './api.js'
import type { BenchConversation } from './fixtures.js'
import type { Verification } from './types.js'

export interface VerifyInput {
  readonly api: Api
  readonly conversations: readonly BenchConversation[]
  /** 202 responses received. */
  readonly accepted: number
  /** Ids from the 202 responses (needed by `full`). */
  readonly acceptedIds?: ReadonlySet<string> | undefined
  /** Requests written without a response when the load stopped. */
  readonly unanswered: number
  readonly method: 'full' | 'seq'
  readonly pageLimit: number
}

export async function verifyStored(input: VerifyInput): Promise<Verification> {
  const started = performance.now()
  const { accepted } = input
  let stored = 0
  let missing = 0
  let duplicates = 0
  if (input.method === 'full') {
    const seen = new Set<string>()
    await forEachLimit(input.conversations, 8, async (conversation) => {
      const token = conversation.senders[0]!.token
      const result = await pageHistory(input.api, token, conversation.conversationId, input.pageLimit, (messages) => {
        for (const m of messages) seen.add(m.message_id)
      })
      stored += result.messages
    })
    for (const id of input.acceptedIds ?? []) if (!seen.has(id)) missing++
    duplicates = accepted - (input.acceptedIds?.size ?? 0)
  } else {
    await forEachLimit(input.conversations, 8, async (conversation) => {
      const { last_seq } = await input.api.expect<{ last_seq: number }>(
        [200],
        'GET',
        `/v1/conversations/${conversation.conversationId}`,
        conversation.senders[0]!.token,
      )
      stored += last_seq
    })
  }
  const ok = missing === 0 && duplicates === 0 && stored >= accepted && stored <= accepted + input.unanswered
  return { method: input.method, accepted, stored, missing, duplicates, unanswered: input.unanswered, ok, ms: Math.round(performance.now() - started) }
}
