/**
 * @module The gRPC messages as JavaScript objects (proto-loader with the options of proto.ts), written
 * by hand from proto/chat4all/v1/*.proto. Only what the handlers read and write; the .proto files stay
 * the source of truth.
 */

export interface Timestamp {
  readonly seconds: number
  readonly nanos: number
}

/** google.protobuf.Value as proto-loader decodes it: one `kind` set. */
export interface ProtoValue {
  readonly nullValue?: 'NULL_VALUE' | 0
  readonly numberValue?: number
  readonly stringValue?: string
  readonly boolValue?: boolean
  readonly structValue?: ProtoStruct
  readonly listValue?: { readonly values?: readonly ProtoValue[] }
  readonly kind?: string
}

export interface ProtoStruct {
  readonly fields?: Readonly<Record<string, ProtoValue>>
}

// --- requests -----------------------------------------------------------------------------------

export interface RegisterRequest {
  readonly username?: string
  readonly password?: string
  readonly email?: string
  readonly display_name?: string
}

export interface TokenRequest {
  readonly username?: string
  readonly password?: string
}

export interface RefreshRequest {
  readonly refresh_token?: string
}

export interface CreateConversationRequest {
  readonly type?: string
  readonly members: readonly string[]
  readonly title?: string
  readonly metadata?: ProtoStruct
}

export interface ConversationIdRequest {
  readonly conversation_id?: string
}

export interface ListConversationsRequest {
  readonly limit?: number
  readonly cursor?: string
}

export interface AddMembersRequest {
  readonly conversation_id?: string
  readonly members: readonly string[]
  readonly role?: string
}

export interface RemoveMemberRequest {
  readonly conversation_id?: string
  readonly member?: string
}

export interface UpdateConversationRequest {
  readonly conversation_id?: string
  readonly title?: string
  readonly metadata?: ProtoStruct
}

export interface MessagePayloadIn {
  readonly type?: string
  readonly text?: string
  readonly file_id?: string
}

export interface SendMessageRequest {
  readonly message_id?: string
  readonly conversation_id?: string
  readonly to?: string
  readonly payload?: MessagePayloadIn
  readonly metadata?: ProtoStruct
  readonly channels: readonly string[]
}

export interface MessageIdRequest {
  readonly message_id?: string
}

export interface ListMessagesRequest {
  readonly conversation_id?: string
  readonly limit?: number
  readonly after_seq?: number
  readonly before_seq?: number
  readonly cursor?: string
}

export interface MarkReadUpToRequest {
  readonly conversation_id?: string
  readonly up_to_seq?: number
}

export interface UploadStart {
  readonly filename?: string
  readonly size_bytes?: number
  readonly content_type?: string
  readonly sha256?: string
  readonly conversation_id?: string
}

export interface UploadResume {
  readonly upload_id?: string
  readonly offset?: number
}

export interface UploadFileRequest {
  readonly part?: 'start' | 'resume' | 'chunk'
  readonly start?: UploadStart
  readonly resume?: UploadResume
  readonly chunk?: Buffer
}

export interface FileIdRequest {
  readonly file_id?: string
}

export interface Position {
  readonly conversation_id?: string
  readonly seq?: number
}

export interface SubscribeRequest {
  readonly cursor?: string
  readonly positions: readonly Position[]
}

// --- responses ----------------------------------------------------------------------------------

/** Any response message: plain objects whose fields follow the .proto. */
export type ProtoMessage = Readonly<Record<string, unknown>>
