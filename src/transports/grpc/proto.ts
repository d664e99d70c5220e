/**
 * @module The .proto files, loaded at start with @grpc/proto-loader: they are the single source of
 * truth of the gRPC API, so there is no generated code to keep in step with them. They live in
 * `proto/` at the package root, which is the same three levels up from src/transports/grpc and from
 * dist/transports/grpc, so the sources and the build find the same files.
 */
import { fileURLToPath } from 'node:url'
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader'

/** The `proto/` directory: import root of `chat4all/v1/*.proto` and `google/rpc/*.proto`. */
export const protoRoot = fileURLToPath(new URL('../../../proto/', import.meta.url))

export const apiProtoFiles = [
  'chat4all/v1/auth.proto',
  'chat4all/v1/conversations.proto',
  'chat4all/v1/messages.proto',
  'chat4all/v1/files.proto',
  'chat4all/v1/events.proto',
] as const

/** The fully qualified names of the services, as reflection and health know them. */
export const serviceNames = [
  'chat4all.v1.AuthService',
  'chat4all.v1.ConversationService',
  'chat4all.v1.MessageService',
  'chat4all.v1.FileService',
  'chat4all.v1.EventService',
] as const

/**
 * How messages look in JavaScript: field names as in the .proto (snake_case, like the REST API),
 * int64 as numbers (seqs and sizes stay far below 2^53), enums as their names, unset fields absent
 * (so proto3 `optional` presence is visible), repeated fields always arrays.
 */
export const loaderOptions: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
  includeDirs: [protoRoot],
}

export function loadApiDefinition(): PackageDefinition {
  return loadSync([...apiProtoFiles], loaderOptions)
}
