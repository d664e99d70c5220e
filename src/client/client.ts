/** @module The SDK's entry point: one client per server and login, grouping the API by resource. */
import { AdminApi } from './admin.js'
import { AuthApi } from './auth.js'
import { ConversationsApi } from './conversations.js'
import { DownloadsApi, type DownloadOptions, type DownloadResult } from './downloads.js'
import { HttpClient, type Fetch } from './http.js'
import { MessagesApi } from './messages.js'
import { memoryTokenStore, TokenSession, type StoredTokens, type TokenStore } from './session.js'
import { LiveStream, type LiveStreamOptions } from './stream.js'
import type { TokenPair } from './types.js'
import { memoryUploadUrlStore, UploadsApi, type UploadOptions, type UploadResult, type UploadUrlStore } from './uploads.js'
import { WebhooksApi } from './webhooks.js'

export interface Chat4AllClientOptions {
  /** The platform's base URL, e.g. http://localhost:8080. */
  readonly baseUrl: string
  /** Where the login's tokens live (memory by default). */
  readonly tokens?: TokenStore | StoredTokens
  /** Where interrupted uploads' URLs are kept, to resume them (memory by default). */
  readonly uploadUrls?: UploadUrlStore
  /** A fetch to use instead of the global one (a proxy agent, instrumentation). */
  readonly fetch?: Fetch
}

const isStore = (tokens: TokenStore | StoredTokens): tokens is TokenStore => 'load' in tokens

/**
 * @example
 * const client = new Chat4AllClient({ baseUrl: 'http://localhost:8080' })
 * await client.auth.login('alice', 'correct-horse-battery')
 * await client.messages.send({ to: 'bob', text: 'Hi Bob' })
 */
export class Chat4AllClient {
  readonly baseUrl: string
  readonly session: TokenSession
  readonly auth: AuthApi
  readonly conversations: ConversationsApi
  readonly messages: MessagesApi
  readonly webhooks: WebhooksApi
  /** For admins: dead letters and their replay. */
  readonly admin: AdminApi
  readonly files: {
    upload(path: string, options?: UploadOptions): Promise<UploadResult>
    download(fileId: string, options?: DownloadOptions): Promise<DownloadResult>
  } & Pick<DownloadsApi, 'link'>

  constructor(options: Chat4AllClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    const store = options.tokens === undefined ? memoryTokenStore() : isStore(options.tokens) ? options.tokens : memoryTokenStore(options.tokens)
    const fetchImpl = options.fetch ?? globalThis.fetch
    const anonymous = new HttpClient(this.baseUrl, new TokenSession(memoryTokenStore(), async () => Promise.reject(new Error('unused'))), fetchImpl)
    this.session = new TokenSession(store, (refreshToken) =>
      anonymous.request<TokenPair>('POST', '/auth/refresh', { body: { refresh_token: refreshToken }, auth: false }),
    )
    const http = new HttpClient(this.baseUrl, this.session, fetchImpl)
    this.auth = new AuthApi(http, this.session)
    this.conversations = new ConversationsApi(http)
    this.messages = new MessagesApi(http)
    this.webhooks = new WebhooksApi(http)
    this.admin = new AdminApi(http)
    const uploads = new UploadsApi(http, this.session, options.uploadUrls ?? memoryUploadUrlStore())
    const downloads = new DownloadsApi(http)
    this.files = {
      upload: (path, uploadOptions) => uploads.upload(path, uploadOptions),
      download: (fileId, downloadOptions) => downloads.download(fileId, downloadOptions),
      link: (fileId) => downloads.link(fileId),
    }
  }

  /** Opens the live stream; it reconnects and resumes by itself until close(). */
  stream(options: LiveStreamOptions = {}): LiveStream {
    return new LiveStream(this.baseUrl, this.session, options)
  }
}
