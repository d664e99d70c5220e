/** @module Operating the platform, for admins: the dead letters of the bus consumers, and their replay. */
import type { HttpClient } from './http.js'
import type { DeadLetter, DeadLetterPage, ReplayQueued } from './types.js'

export class AdminApi {
  constructor(private readonly http: HttpClient) {}

  deadLetters(options: { limit?: number; before?: string; group?: string } = {}): Promise<DeadLetterPage> {
    return this.http.request('GET', '/v1/admin/dead-letters', { query: { limit: options.limit, before: options.before, group: options.group } })
  }

  /** Every dead letter, newest first, following the cursors. */
  async *allDeadLetters(group?: string): AsyncGenerator<DeadLetter> {
    let before: string | undefined
    do {
      const page = await this.deadLetters({ limit: 200, ...(before ? { before } : {}), ...(group ? { group } : {}) })
      yield* page.dead_letters
      before = page.pagination.next_cursor ?? undefined
    } while (before)
  }

  replay(id: string): Promise<ReplayQueued> {
    return this.http.request('POST', `/v1/admin/dead-letters/${encodeURIComponent(id)}/replay`)
  }
}
