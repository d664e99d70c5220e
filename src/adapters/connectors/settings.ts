/** @module Reading a connector's settings from the values the configuration collected for it. */
import type { ConnectorSetting } from '../../ports/connector.js'

/** Each setting's value, or its default; throws naming every required variable that is missing. */
export function readSettings(settings: readonly ConnectorSetting[], values: Readonly<Record<string, string>>): (env: string) => string {
  const missing = settings.filter((s) => s.default === undefined && !values[s.env]).map((s) => s.env)
  if (missing.length > 0) throw new Error(`missing connector settings: ${missing.join(', ')}`)
  return (env) => {
    const setting = settings.find((s) => s.env === env)
    if (!setting) throw new Error(`${env} is not a declared setting`)
    return values[env] || setting.default || ''
  }
}

/** A positive whole number of `unit`, or an error naming the variable. */
export function readPositive(env: string, text: string, unit: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${env} must be a positive whole number of ${unit}, got '${text}'`)
  return value
}

/** A positive whole number of milliseconds, or an error naming the variable. */
export const readMillis = (env: string, text: string): number => readPositive(env, text, 'milliseconds')

/** The base URL without a trailing slash, so paths join with one. */
export function trimBaseUrl(url: string): string {
  return url.replace(/\/+$/, '')
}
