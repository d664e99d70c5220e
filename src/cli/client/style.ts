/**
 * @module Output for people: colours only on a terminal and never with NO_COLOR (FORCE_COLOR
 * forces them), aligned tables, relative times, byte sizes.
 */
const useColour = (stream: NodeJS.WriteStream): boolean => {
  if ('NO_COLOR' in process.env && process.env['NO_COLOR'] !== '') return false
  if (process.env['FORCE_COLOR'] && process.env['FORCE_COLOR'] !== '0') return true
  return stream.isTTY === true && process.env['TERM'] !== 'dumb'
}

const paint = (open: number, close: number) => (text: string, stream: NodeJS.WriteStream = process.stdout) =>
  useColour(stream) ? `\x1b[${open}m${text}\x1b[${close}m` : text

export const colour = {
  bold: paint(1, 22),
  dim: paint(2, 22),
  red: paint(31, 39),
  green: paint(32, 39),
  yellow: paint(33, 39),
  blue: paint(34, 39),
  cyan: paint(36, 39),
}

const visibleLength = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').length

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header.map((h) => colour.bold(h)), ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => visibleLength(row[i] ?? ''))))
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)))).join('  '))
    .join('\n')
}

export function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) return '-'
  const seconds = Math.round((now - Date.parse(iso)) / 1000)
  if (seconds < 0) return 'just now'
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  const days = Math.round(hours / 24)
  if (days < 30) return `${days} d ago`
  return iso.slice(0, 10)
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** `10M`, `512k`, `1.5G` or plain bytes → bytes. */
export function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text.trim())
  if (!match) throw new Error(`'${text}' is not a size (examples: 500k, 2M, 1G)`)
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g']
  return Math.round(Number(match[1]) * scale)
}

export const shortId = (id: string) => id.slice(0, 8)

export const clock = (iso: string | null) => (iso ? new Date(iso).toTimeString().slice(0, 5) : '--:--')
