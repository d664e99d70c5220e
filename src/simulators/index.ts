/**
 * @module The platform simulators by name, and a server that runs one on its own port
 * (`chat4all simulate <name>`). Each simulator is a Fastify plugin, so a bigger server can mount
 * all of them under prefixes of its own instead.
 */
import Fastify, { type FastifyPluginAsync } from 'fastify'
import type { SimulatorOptions } from './shared/options.js'
import { instagramSimulator, instagramSimulatorDefaults } from './instagram.js'
import { telegramSimulator, telegramSimulatorDefaults } from './telegram.js'
import { whatsappSimulator, whatsappSimulatorDefaults } from './whatsapp.js'

export type { SimulatorOptions } from './shared/options.js'

export const simulators = {
  whatsapp: { plugin: whatsappSimulator, defaults: whatsappSimulatorDefaults },
  instagram: { plugin: instagramSimulator, defaults: instagramSimulatorDefaults },
  telegram: { plugin: telegramSimulator, defaults: telegramSimulatorDefaults },
} as const satisfies Readonly<Record<string, { plugin: FastifyPluginAsync<SimulatorOptions>; defaults: Readonly<Record<string, string>> }>>

export type SimulatorName = keyof typeof simulators

export function isSimulatorName(name: string): name is SimulatorName {
  return Object.hasOwn(simulators, name)
}

export interface RunningSimulator {
  /** `http://host:port`, the base URL a connector is pointed at. */
  readonly url: string
  close(): Promise<void>
}

/** Starts one simulator on its own HTTP server. Port 0 picks a free one. */
export async function startSimulator(name: SimulatorName, options: SimulatorOptions & { readonly host?: string; readonly port?: number } = {}): Promise<RunningSimulator> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
  await app.register(simulators[name].plugin, options)
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
  return { url: address, close: () => app.close() }
}
