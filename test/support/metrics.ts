/** Reading a Prometheus exposition in tests: the declared metric families and every sample. */

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Exposition {
  /** Family name → type (counter, gauge, histogram, summary), from the `# TYPE` lines. */
  readonly families: ReadonlyMap<string, string>
  readonly samples: readonly Sample[]
  /** The sum of the samples named `name` whose labels include `labels`. */
  total(name: string, labels?: Readonly<Record<string, string>>): number
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseExposition(text: string): Exposition {
  const families = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line)
    if (type) families.set(type[1]!, type[2]!)
    if (line.startsWith('#') || line.trim() === '') continue
    const match = sampleLine.exec(line)
    if (!match) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(labelPair)) labels[pair[1]!] = pair[2]!
    samples.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return {
    families,
    samples,
    total: (name, want = {}) =>
      samples
        .filter((s) => s.name === name && Object.entries(want).every(([key, value]) => s.labels[key] === value))
        .reduce((sum, s) => sum + s.value, 0),
  }
}

export async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`, { headers })
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${await response.text()}`)
  return parseExposition(await response.text())
}

/** The series names a family exposes: a histogram's _bucket, _sum and _count, a summary's _sum and _count. */
export function seriesNames(families: ReadonlyMap<string, string>): Set<string> {
  const names = new Set<string>()
  for (const [family, type] of families) {
    names.add(family)
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(family + suffix)
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(family + suffix)
  }
  return names
}
