/**
 * @module The standard gRPC health service (grpc.health.v1.Health, from grpc-health-check), kept in
 * step with readiness: SERVING while the store answers, NOT_SERVING when it does not and once the
 * server is shutting down — what `/ready` says over HTTP, for load balancers that speak gRPC.
 */
import { HealthImplementation, protoPath, type ServingStatus } from 'grpc-health-check'
import type { Server } from '@grpc/grpc-js'
import { serviceNames } from './proto.js'

export { protoPath as healthProtoPath }

export interface HealthOptions {
  /** Resolves when the platform is ready (the store answers); rejects or resolves false when not. */
  readonly isReady: () => Promise<boolean>
  /** How often readiness is checked again. */
  readonly intervalMs: number
  readonly onChange?: (status: ServingStatus) => void
}

export interface Health {
  addToServer(server: Server): void
  /** Checks readiness once now (the server answers SERVING only after the first check). */
  check(): Promise<void>
  /** NOT_SERVING for good: the server is going away. */
  stop(): void
}

export function createHealth(options: HealthOptions): Health {
  // '' is the whole server, as the protocol defines; each service may be asked for by name too.
  const names = ['', ...serviceNames]
  const implementation = new HealthImplementation(Object.fromEntries(names.map((name) => [name, 'NOT_SERVING' as const])))
  let current: ServingStatus = 'NOT_SERVING'
  let stopped = false
  const set = (status: ServingStatus) => {
    if (status === current) return
    current = status
    for (const name of names) implementation.setStatus(name, status)
    options.onChange?.(status)
  }
  const check = async () => {
    const ready = await options.isReady().catch(() => false)
    if (!stopped) set(ready ? 'SERVING' : 'NOT_SERVING')
  }
  const timer = setInterval(() => void check(), options.intervalMs)
  timer.unref()
  return {
    addToServer: (server) => implementation.addToServer(server),
    check,
    stop() {
      stopped = true
      clearInterval(timer)
      set('NOT_SERVING')
    },
  }
}
