/**
 * @module Client-side limits for many connections: loopback source addresses (each has about
 * 28,000 ephemeral ports towards one server port) and the open-files limit, which the server child
 * inherits from this process.
 */
import { readFileSync } from 'node:fs'

/** Connection i's source address: 127.0.0.1 for the first `perAddress`, then 127.0.0.2, … */
export function loopbackSource(perAddress: number): (index: number) => string {
  return (index) => `127.0.0.${1 + Math.floor(index / perAddress)}`
}

export function sourceAddressCount(connections: number, perAddress: number): number {
  return Math.ceil(connections / perAddress)
}

/** Throws, saying what to do, when this process may not open `needed` descriptors. */
export function requireOpenFiles(needed: number): void {
  const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]
  const soft = line === undefined || line === 'unlimited' ? Number.POSITIVE_INFINITY : Number(line)
  if (soft < needed) {
    throw new Error(`${needed} sockets need an open-files limit above ${soft}: run \`ulimit -n ${Math.max(65_536, needed * 2)}\` in the shell first (the server inherits it)`)
  }
}
