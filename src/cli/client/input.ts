/** @module Reading what the user gives: stdin, and prompts when a terminal is attached. */
import { UsageError } from './exit-codes.js'

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export const interactive = () => process.stdin.isTTY === true && process.stderr.isTTY === true

/** The value given, else a prompt on a terminal, else a usage error naming the option. */
export async function askText(given: string | undefined, message: string, option: string): Promise<string> {
  if (given !== undefined) return given
  if (!interactive()) throw new UsageError(`give ${option} (no terminal to ask on)`)
  const { input } = await import('@inquirer/prompts')
  return input({ message, required: true }, { output: process.stderr })
}

export async function askPassword(fromStdin: boolean | undefined, message = 'Password'): Promise<string> {
  if (fromStdin) return (await readStdin()).replace(/\r?\n$/, '')
  if (!interactive()) throw new UsageError('give the password on stdin with --password-stdin (no terminal to ask on)')
  const { password } = await import('@inquirer/prompts')
  return password({ message, mask: '*' }, { output: process.stderr })
}
