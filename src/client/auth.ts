/** @module Accounts and tokens: register, log in and out, who am I. */
import type { HttpClient } from './http.js'
import { toStoredTokens, type TokenSession } from './session.js'
import type { Me, RegisterInput, TokenPair, User } from './types.js'

export class AuthApi {
  constructor(
    private readonly http: HttpClient,
    private readonly session: TokenSession,
  ) {}

  register(input: RegisterInput): Promise<User> {
    return this.http.request<User>('POST', '/auth/register', { body: input, auth: false })
  }

  /** Logs in and keeps the tokens in the session's store. */
  async login(username: string, password: string): Promise<void> {
    const pair = await this.http.request<TokenPair>('POST', '/auth/token', { body: { username, password }, auth: false })
    await this.session.set(toStoredTokens(pair))
  }

  /** Ends this session on the server (when it can still be reached) and forgets the tokens. */
  async logout(): Promise<void> {
    const tokens = await this.session.current()
    try {
      if (tokens) await this.http.request('POST', '/auth/logout', { body: { refresh_token: tokens.refreshToken } })
    } finally {
      await this.session.set(undefined)
    }
  }

  me(): Promise<Me> {
    return this.http.request<Me>('GET', '/v1/me')
  }
}
