/**
 * @module The platform's JSON shapes as the web client uses them (README "API", docs/stream.md).
 * A hand-written subset of the wire schema (src/wire), with its field names (`member_id` …). The
 * web app does not import src/wire even for types: its tsconfig (DOM, bundler resolution, no Node
 * types) would then type-check the server's core modules that the wire schema is built from. This
 * folder is the only place that knows the shapes; the browser e2e tests check every response and
 * frame against the OpenAPI document generated from the wire schema, so drift fails there.
 */

export interface TokenPair {
  readonly access_token: string
  readonly token_type: 'Bearer'
  readonly expires_in: number
  readonly refresh_token: string
}

export interface Me {
  readonly user_id: string
  readonly username: string
  readonly display_name: string | null
  readonly is_admin?: boolean
}

export type MemberKind = 'user' | 'external'

export interface Member {
  readonly member_id: string
  readonly kind: MemberKind
  readonly role: 'owner' | 'admin' | 'member'
  readonly delivered_up_to_seq?: number
  readonly read_up_to_seq?: number
}

export interface AttachedFile {
  readonly filename: string
  readonly size_bytes: number
  readonly mimetype: string
  readonly checksum: string
}

export type Payload =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'file'; readonly file_id: string; readonly text?: string; readonly file?: AttachedFile }

export interface Message {
  readonly message_id: string
  readonly conversation_id: string
  readonly seq: number
  readonly sender_id: string
  readonly payload: Payload
  readonly content: string | null
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly created_at: string
  readonly status?: string
}

export interface Conversation {
  readonly conversation_id: string
  readonly type: 'private' | 'group'
  readonly title: string | null
  readonly metadata: Readonly<Record<string, unknown>> | null
  readonly created_by: string
  readonly created_at: string
  readonly last_seq?: number
  readonly last_activity_at?: string
  readonly members?: readonly Member[]
  readonly last_message?: Message | null
  readonly unread_count?: number
}

export interface Page {
  readonly has_more: boolean
  readonly next_cursor: string | null
}

export interface Receipt {
  readonly member_id: string
  readonly status: string
  readonly delivered_at: string | null
  readonly read_at: string | null
  readonly reason?: string
}

export interface Download {
  readonly download_url: string
  readonly filename: string
  readonly size_bytes: number
  readonly mimetype: string
}

export interface Accepted {
  readonly message_id: string
  readonly conversation_id: string
  readonly seq: number
  readonly created_at: string
}

/** Server frames of /v1/stream (docs/stream.md "Frames"). */
export type StreamFrame =
  | { readonly type: 'welcome'; readonly user_id: string; readonly heartbeat_ms: number }
  | { readonly type: 'ready'; readonly replayed: number }
  | { readonly type: 'message.created'; readonly message: Message }
  | {
      readonly type: 'message.status'
      readonly conversation_id: string
      readonly member_id: string
      readonly status: string
      readonly up_to_seq: number
      readonly message_id: string | null
    }
  | { readonly type: 'conversation.created'; readonly conversation: Conversation; readonly members: readonly Member[] }
  | { readonly type: 'member.joined'; readonly conversation_id: string; readonly members: readonly Member[] }
  | { readonly type: 'member.left'; readonly conversation_id: string; readonly member_id: string }
  | { readonly type: 'typing'; readonly conversation_id: string; readonly user_id: string; readonly expires_at: string }
  | { readonly type: 'presence'; readonly user_id: string; readonly status: 'online' | 'offline'; readonly last_seen_at: string | null }
  | {
      readonly type: 'receipts.snapshot'
      readonly conversation_id: string
      readonly members: readonly { member_id: string; delivered_up_to_seq: number; read_up_to_seq: number }[]
    }
  | { readonly type: 'stream.reset'; readonly reason: string; readonly position: { conversation_id: string; seq: number } }
  | ({ readonly type: 'ok'; readonly id?: string | number } & Partial<Accepted> & { readonly status?: string })
  | { readonly type: 'error'; readonly id?: string | number; readonly code: string; readonly status: number; readonly detail: string }
  | { readonly type: 'pong' | 'conversation.updated' }
