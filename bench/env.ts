/** @module BENCH_* environment readers shared by every bench (`npm run bench`, `bench:scaled`). */

/** An integer variable ≥ `min`; empty or unset gives `fallback`. Anything else is an error, not a guess. */
export function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${raw}'`)
  return value
}

/** A comma-separated list of integers ≥ `min`. */
export function ints(name: string, fallback: readonly number[], min = 1): readonly number[] {
  const raw = process.env[name]
  if (!raw) return fallback
  const values = raw.split(',').map((v) => Number(v.trim()))
  if (values.some((v) => !Number.isInteger(v) || v < min)) throw new Error(`${name} must be a comma-separated list of integers ≥ ${min}, got '${raw}'`)
  return values
}

/** A comma-separated list of words, each one of `known`. */
export function words<K extends string>(name: string, fallback: readonly K[], known: readonly K[]): K[] {
  const raw = process.env[name]
  if (!raw) return [...fallback]
  const values = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  const unknown = values.filter((v) => !(known as readonly string[]).includes(v))
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`)
  return values as K[]
}
