/**
 * @module The error catalog: the only place error codes are defined.
 * Every failure the API reports is an AppError; transports turn it into RFC 9457 problem+json.
 */

export interface AppErrorOptions {
  readonly field?: string
  readonly cause?: unknown
  readonly retryable?: boolean
  /** When the client may try again, in seconds (429): sent as `Retry-After`. */
  readonly retryAfterSeconds?: number
}

export class AppError extends Error {
  override readonly name = 'AppError'
  readonly field: string | undefined
  readonly retryable: boolean
  readonly retryAfterSeconds: number | undefined

  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause })
    this.field = options.field
    this.retryable = options.retryable ?? options.retryAfterSeconds !== undefined
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

/** Stable codes; each becomes the problem `type` `https://chat4all.dev/problems/<code>`. */
export const errorCodes = {
  validation_failed: { status: 400, title: 'Request validation failed' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  json_too_deep: { status: 400, title: 'JSON nested too deeply' },
  bad_url: { status: 400, title: 'Malformed URL' },
  bad_request: { status: 400, title: 'Malformed HTTP request' },
  unknown_member: { status: 400, title: 'Unknown conversation member' },
  invalid_conversation: { status: 400, title: 'Invalid conversation' },
  file_not_found: { status: 400, title: 'Unknown file' },
  url_not_allowed: { status: 400, title: 'Webhook URL not allowed' },
  url_unresolvable: { status: 400, title: 'Webhook URL host does not resolve' },
  length_mismatch: { status: 400, title: 'Body length does not match' },
  unauthorized: { status: 401, title: 'Authentication required' },
  invalid_credentials: { status: 401, title: 'Invalid username or password' },
  invalid_token: { status: 401, title: 'Invalid or expired token' },
  forbidden: { status: 403, title: 'Forbidden' },
  admin_required: { status: 403, title: 'Admin role required' },
  sender_mismatch: { status: 403, title: 'Sender is not the caller' },
  signed_url_expired: { status: 403, title: 'Download link expired' },
  signed_url_invalid: { status: 403, title: 'Download link invalid' },
  conversation_not_found: { status: 404, title: 'Conversation not found' },
  message_not_found: { status: 404, title: 'Message not found' },
  member_not_found: { status: 404, title: 'Member not found' },
  route_not_found: { status: 404, title: 'Route not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  webhook_not_found: { status: 404, title: 'Webhook not found' },
  delivery_not_found: { status: 404, title: 'Webhook delivery not found' },
  dead_letter_not_found: { status: 404, title: 'Dead letter not found' },
  channel_not_found: { status: 404, title: 'Channel not configured' },
  identity_not_found: { status: 404, title: 'Identity not found' },
  identity_taken: { status: 409, title: 'Identity linked to another user' },
  channel_signature_invalid: { status: 401, title: 'Channel webhook not authentic' },
  no_such_file: { status: 404, title: 'File not found' },
  no_such_upload: { status: 404, title: 'Upload not found' },
  username_taken: { status: 409, title: 'Username already taken' },
  email_taken: { status: 409, title: 'Email already registered' },
  idempotency_conflict: { status: 409, title: 'Message id reused with a different body' },
  member_limit_reached: { status: 409, title: 'Conversation member limit reached' },
  file_not_ready: { status: 409, title: 'File not ready' },
  upload_incomplete: { status: 409, title: 'Upload incomplete' },
  upload_offset_mismatch: { status: 409, title: 'Upload offset mismatch' },
  upload_expired: { status: 410, title: 'Upload expired' },
  request_timeout: { status: 408, title: 'Request timeout' },
  length_required: { status: 411, title: 'Content-Length required' },
  tus_version_unsupported: { status: 412, title: 'Unsupported tus version' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  file_too_large: { status: 413, title: 'File too large' },
  uri_too_long: { status: 414, title: 'URI too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  range_not_satisfiable: { status: 416, title: 'Range not satisfiable' },
  checksum_mismatch: { status: 422, title: 'Checksum mismatch' },
  upload_locked: { status: 423, title: 'Upload busy' },
  upgrade_required: { status: 426, title: 'Upgrade to a WebSocket required' },
  rate_limited: { status: 429, title: 'Too many requests' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
  chunk_checksum_mismatch: { status: 460, title: 'Chunk checksum mismatch' },
  internal: { status: 500, title: 'Internal server error' },
  not_ready: { status: 503, title: 'Service not ready' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorCode = keyof typeof errorCodes

export const problemTypeBase = 'https://chat4all.dev/problems/'

/** Builds an AppError whose status comes from the catalog. */
export function appError(code: ErrorCode, message: string, options?: AppErrorOptions): AppError {
  return new AppError(code, errorCodes[code].status, message, options)
}

export const errors = {
  validation: (field: string, message: string) => appError('validation_failed', message, { field }),
  unknownMember: (field: string, member: string) =>
    appError('unknown_member', `No user or channel address matches '${member}'`, { field }),
  invalidConversation: (field: string, message: string) =>
    appError('invalid_conversation', message, { field }),
  fileNotFound: (field: string, fileId: string) =>
    appError('file_not_found', `File '${fileId}' does not exist or is not ready`, { field }),
  unauthorized: (message = 'A valid bearer token is required') => appError('unauthorized', message),
  invalidCredentials: () => appError('invalid_credentials', 'Invalid username or password'),
  invalidToken: (message = 'The token is invalid or expired') => appError('invalid_token', message),
  forbidden: (message: string) => appError('forbidden', message),
  adminRequired: () => appError('admin_required', 'Only an admin may do this; an admin grants the role with `chat4all admin grant`'),
  senderMismatch: (field: string) =>
    appError('sender_mismatch', 'The sender is always the authenticated caller', { field }),
  conversationNotFound: (id: string) =>
    appError('conversation_not_found', `Conversation '${id}' not found`, { field: 'conversation_id' }),
  messageNotFound: (id: string) =>
    appError('message_not_found', `Message '${id}' not found`, { field: 'message_id' }),
  memberNotFound: (member: string) =>
    appError('member_not_found', `'${member}' is not a member of this conversation`, { field: 'member' }),
  usernameTaken: () => appError('username_taken', 'That username is taken', { field: 'username' }),
  emailTaken: () => appError('email_taken', 'That email is already registered', { field: 'email' }),
  idempotencyConflict: () =>
    appError(
      'idempotency_conflict',
      'This message_id was already used for a different message; use a new message_id',
      { field: 'message_id' },
    ),
  memberLimitReached: (limit: number) =>
    appError('member_limit_reached', `A group holds at most ${limit} members`, { field: 'members' }),
  upgradeRequired: (message: string) => appError('upgrade_required', message),
  payloadTooLarge: (field: string | undefined, message: string) =>
    appError('payload_too_large', message, field === undefined ? {} : { field }),
  webhookNotFound: (id: string) => appError('webhook_not_found', `Webhook '${id}' not found`, { field: 'webhook_id' }),
  deliveryNotFound: (id: string) =>
    appError('delivery_not_found', `Delivery '${id}' not found`, { field: 'delivery_id' }),
  rateLimited: (retryAfterSeconds: number, what: string) =>
    appError('rate_limited', `Too many ${what}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds }),
  jsonTooDeep: (field: string, maxDepth: number) =>
    appError('json_too_deep', `JSON may nest at most ${maxDepth} levels of objects and arrays`, { field }),
  deadLetterNotFound: (id: string) =>
    appError('dead_letter_not_found', `Dead letter '${id}' not found; it may have been replayed already`, { field: 'id' }),
} as const

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError
}
