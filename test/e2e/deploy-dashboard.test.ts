/**
 * The Grafana dashboard and the alert rules query only metrics the platform exports: every metric
 * name in their PromQL is checked against the exposition of a started platform (all roles), so a
 * renamed metric cannot leave a panel or an alert silently empty.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { scrape, seriesNames } from '../support/metrics.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const deploy = new URL('../../deploy/', import.meta.url).pathname
/** Made by Prometheus itself, not by a target. */
const prometheusSeries = new Set(['up'])
const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'])

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '')
  // An identifier followed by "(" is a function.
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined)
    .map((m) => m[1]!)
    .filter((name) => !keywords.has(name.toLowerCase()))
}

interface Panel {
  readonly title: string
  readonly type: string
  readonly targets?: readonly { readonly expr: string }[]
}

const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/dashboards/chat4all.json'), 'utf8')) as { panels: Panel[]; uid: string }
const rules = (parse(readFileSync(join(deploy, 'prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] }).groups.flatMap(
  (g) => g.rules,
)
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])))

let server: TestPlatform
let exported: Set<string>
let families: string[]
beforeAll(async () => {
  server = await startTestPlatform()
  const exposition = await scrape(server.url)
  exported = seriesNames(exposition.families)
  families = [...exposition.families.keys()]
})
afterAll(() => server.stop())

describe('dashboard and alerts against the exported metrics', () => {
  it('reads metric names out of PromQL', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le, stage) (rate(chat4all_x_bucket{stage="pushed"}[5m]))) > 1')).toEqual(['chat4all_x_bucket'])
    expect(metricNames('max(a_total) / sum (rate(b_seconds_count[$__rate_interval])) and up{job=~"c.*"} == 0')).toEqual(['a_total', 'b_seconds_count', 'up'])
  })

  it('has panels for throughput, latency, errors, outbox and bus, connections, webhooks, files and connectors', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)
    expect(rows).toEqual(['Throughput', 'Latency', 'Errors and availability', 'Outbox and bus', 'Live connections', 'Webhooks', 'Files', 'Connectors', 'Store and processes'])
    expect(dashboard.panels.filter((p) => p.type !== 'row').every((p) => (p.targets?.length ?? 0) > 0), 'every panel queries something').toBe(true)
  })

  it('queries only metrics a started platform exports', () => {
    const unknown = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((t) => metricNames(t.expr).filter((name) => !exported.has(name) && !prometheusSeries.has(name)).map((name) => `${panel.title}: ${name}`)),
    )
    expect(unknown).toEqual([])
    const used = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))))
    // Every platform metric has a place on the dashboard (a histogram through any of its series).
    const shown = new Set([...used].map((name) => name.replace(/_(bucket|sum|count)$/, '')))
    const unshown = families.filter((family) => family.startsWith('chat4all_') && !shown.has(family) && !used.has(family))
    expect(unshown, 'platform metrics missing from the dashboard').toEqual([])
  })

  it('alerts only on metrics a started platform exports (or on the rules’ own recordings)', () => {
    const unknown = rules.flatMap((rule) =>
      metricNames(rule.expr).filter((name) => !exported.has(name) && !recorded.has(name) && !prometheusSeries.has(name)).map((name) => `${rule.alert ?? rule.record}: ${name}`),
    )
    expect(unknown).toEqual([])
  })
})
