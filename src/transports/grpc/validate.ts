/**
 * @module Input rules over gRPC are the REST API's: each request is reshaped into the body the
 * matching route takes and checked against the same schema, compiled by the same validator, and
 * failures name the field the same way. The schemas are imported here only, in one place.
 */
import type { Static, TSchema } from '@sinclair/typebox'
import { errors } from '../../core/errors.js'
import { toAppError } from '../http/problem.js'
import {
  AddMembersBody,
  CreateConversationBody,
  HistoryQuery,
  ListConversationsQuery,
  ReadUpToBody,
  RefreshBody,
  RegisterBody,
  TokenBody,
} from '../../wire/requests.js'
import { createValidatorCompiler } from '../http/validation.js'

export const schemas = {
  register: RegisterBody,
  token: TokenBody,
  refresh: RefreshBody,
  createConversation: CreateConversationBody,
  addMembers: AddMembersBody,
  listConversations: ListConversationsQuery,
  history: HistoryQuery,
  readUpTo: ReadUpToBody,
} as const

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null }

const compile = createValidatorCompiler()
const compiled = new Map<TSchema, Validate>()

/** `data` (unset fields absent) checked against `schema`; throws the AppError REST would answer with. */
export function check<T extends TSchema>(schema: T, data: Readonly<Record<string, unknown>>): Static<T> {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = compile({ schema, method: 'POST', url: '/grpc', httpPart: 'body' }) as Validate
    compiled.set(schema, validate)
  }
  const defined = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined))
  if (validate(defined) !== true) {
    throw toAppError(Object.assign(new Error('invalid request'), { validation: validate.errors ?? [], validationContext: 'body' }))
  }
  return defined as Static<T>
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A required UUID field (conversation, file, upload ids), lower-cased as REST does. */
export function uuid(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw errors.validation(field, `'${field}' is required`)
  if (!uuidPattern.test(value)) throw errors.validation(field, `'${field}' must be a UUID`)
  return value.toLowerCase()
}

/** A required identifier that is not always a UUID (message ids, member references): 1 to 100 characters. */
export function identifier(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw errors.validation(field, `'${field}' is required`)
  if (value.length > 100) throw errors.validation(field, `'${field}' must be at most 100 characters`)
  return value
}
