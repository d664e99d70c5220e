/**
 * A gRPC client for tests: real @grpc/grpc-js clients of every chat4all.v1 service, loaded from the
 * project's .proto files (as any client would), plus the standard health and reflection services.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { fromStruct } from '../../src/transports/grpc/convert.js'
import { healthProtoPath } from '../../src/transports/grpc/health.js'
import { apiProtoFiles, loaderOptions } from '../../src/transports/grpc/proto.js'
import { eventually } from './ws.js'

type AnyClient = grpc.Client & Record<string, any>
type Constructor = new (address: string, credentials: grpc.ChannelCredentials) => AnyClient

const require = createRequire(import.meta.url)
const reflectionProto = join(dirname(require.resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto')

const definitions = grpc.loadPackageDefinition(loadSync([...apiProtoFiles, healthProtoPath, reflectionProto], loaderOptions)) as any

export interface GrpcClients {
  readonly auth: AnyClient
  readonly conversations: AnyClient
  readonly messages: AnyClient
  readonly files: AnyClient
  readonly events: AnyClient
  readonly health: AnyClient
  readonly reflection: AnyClient
  close(): void
}

export function grpcClients(address: string, credentials = grpc.credentials.createInsecure()): GrpcClients {
  const v1 = definitions.chat4all.v1
  const make = (constructor: Constructor) => new constructor(address, credentials)
  const clients = {
    auth: make(v1.AuthService),
    conversations: make(v1.ConversationService),
    messages: make(v1.MessageService),
    files: make(v1.FileService),
    events: make(v1.EventService),
    health: make(definitions.grpc.health.v1.Health),
    reflection: make(definitions.grpc.reflection.v1.ServerReflection),
  }
  return { ...clients, close: () => Object.values(clients).forEach((client) => client.close()) }
}

export function bearer(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata()
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`)
  return metadata
}

/** Calls a unary RPC; rejects with the grpc-js ServiceError. */
export function unary<T = any>(
  client: AnyClient,
  method: string,
  request: unknown,
  token?: string,
  options: grpc.CallOptions = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method](request, bearer(token), options, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)))
  })
}

/** The ServiceError a call fails with; fails the test if it succeeds. */
export async function failure(call: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    const response = await call
    throw new Error(`expected the call to fail, it answered ${JSON.stringify(response)}`)
  } catch (error) {
    if ((error as grpc.ServiceError).code === undefined) throw error
    return error as grpc.ServiceError
  }
}

/** A registered user over gRPC, with an access token. */
export async function grpcUser(clients: GrpcClients, prefix = 'g'): Promise<{ userId: string; username: string; token: string; refreshToken: string }> {
  const username = `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`
  const { user } = await unary(clients.auth, 'Register', { username, password: 'correct-horse-battery' })
  const tokens = await unary(clients.auth, 'Token', { username, password: 'correct-horse-battery' })
  return { userId: user.user_id, username, token: tokens.access_token, refreshToken: tokens.refresh_token }
}

export { grpc }

export interface Received {
  readonly type: string
  readonly position?: { conversation_id: string; seq: number }
  readonly cursor?: string
  readonly data: Record<string, unknown>
  readonly message?: any
}

/** EventService.Subscribe as a client sees it: every response, the last cursor, and how the call ended. */
export class Subscription {
  readonly received: Received[] = []
  cursor: string | undefined
  readonly ended: Promise<{ code: number; details: string; metadata: grpc.Metadata }>

  constructor(readonly call: grpc.ClientReadableStream<any>) {
    call.on('data', (response: any) => {
      const frame: Received = { ...response, data: fromStruct(response.data ?? {}) }
      this.received.push(frame)
      if (frame.cursor !== undefined) this.cursor = frame.cursor
    })
    call.on('error', () => undefined) // reported through `ended`
    this.ended = new Promise((resolve) => call.on('status', (status: grpc.StatusObject) => resolve(status)))
  }

  static open(clients: GrpcClients, token: string | undefined, request: Record<string, unknown> = {}, options: grpc.CallOptions = {}): Subscription {
    return new Subscription(clients.events.Subscribe(request, bearer(token), options))
  }

  /** Seqs of the message.created events of one conversation, in arrival order. */
  seqs(conversationId: string): number[] {
    return this.received.filter((r) => r.type === 'message.created' && r.position?.conversation_id === conversationId).map((r) => r.position!.seq)
  }

  async waitFor(match: (frame: Received) => boolean, what: string, timeoutMs = 10_000): Promise<Received> {
    return eventually(() => this.received.find(match), what, timeoutMs)
  }
}
