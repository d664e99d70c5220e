/**
 * The alert rules and the Prometheus configuration of deploy/: valid for promtool, the alerts' unit
 * tests pass, and the compose deployment's scrape targets are its Chat4All services.
 */
import { execFile } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { tempDir } from '../support/platform.js'
import { promtoolAvailable } from '../support/deploy-tools.js'

const deploy = new URL('../../deploy/', import.meta.url).pathname
const run = promisify(execFile)
const hasPromtool = promtoolAvailable()
const dir = tempDir('chat4all-prometheus-')
afterAll(() => dir.remove())

interface Rule {
  readonly alert?: string
  readonly record?: string
  readonly expr: string
  readonly labels?: Record<string, string>
  readonly annotations?: Record<string, string>
}

const rules = (parse(readFileSync(join(deploy, 'prometheus/alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules)

describe('Prometheus rules and configuration', () => {
  it.skipIf(!hasPromtool)('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', join(deploy, 'prometheus/alerts.yml')])
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/)
  })

  it.skipIf(!hasPromtool)('passes the alerts’ unit tests (promtool test rules)', async () => {
    const { stdout } = await run('promtool', ['test', 'rules', join(deploy, 'prometheus/alerts.test.yml')])
    expect(stdout).toContain('SUCCESS')
  })

  it.skipIf(!hasPromtool)('passes promtool check config, with the rule file where the compose file mounts it', async () => {
    // The configuration names the rules by their path inside the container.
    copyFileSync(join(deploy, 'prometheus/alerts.yml'), join(dir.path, 'alerts.yml'))
    const config = readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8').replace('/etc/prometheus/alerts.yml', 'alerts.yml')
    writeFileSync(join(dir.path, 'prometheus.yml'), config)
    const { stdout } = await run('promtool', ['check', 'config', join(dir.path, 'prometheus.yml')])
    expect(stdout).toContain('SUCCESS')
  })

  it('alerts on every objective: availability, error rate, delivery latency, outbox age, dead letters, breakers', () => {
    const alerts = new Map(rules.filter((r) => r.alert).map((r) => [r.alert!, r]))
    for (const name of [
      'Chat4AllErrorBudgetFastBurn',
      'Chat4AllErrorBudgetSlowBurn',
      'Chat4AllHighErrorRate',
      'Chat4AllProcessDown',
      'Chat4AllDeliveryLatencyHigh',
      'Chat4AllOutboxStuck',
      'Chat4AllDeadLettersGrowing',
      'Chat4AllConnectorBreakerOpen',
    ]) {
      const alert = alerts.get(name)
      expect(alert, name).toBeDefined()
      expect(alert?.labels?.['severity'], `${name} has a severity`).toMatch(/^(page|ticket)$/)
      expect(alert?.annotations?.['summary'], `${name} says what is wrong`).toBeTruthy()
    }
    // 99.95 % availability is a 0.05 % error budget.
    expect(alerts.get('Chat4AllErrorBudgetFastBurn')?.expr).toContain('14.4 * 0.0005')
  })

  it('scrapes every Chat4All service of the compose deployment, each under its role', () => {
    const compose = parse(readFileSync(join(deploy, 'compose.yaml'), 'utf8')) as { services: Record<string, { command?: string[] }> }
    const chat4all = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === 'serve')
    const prometheus = parse(readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[]
    }
    const scraped = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets.map((t) => [t, job.job_name])))
    expect(scraped.map(([target]) => target).sort()).toEqual(chat4all.map(([name]) => `${name}:8080`).sort())
    for (const [target, job] of scraped) {
      const [, service] = chat4all.find(([name]) => `${name}:8080` === target)!
      expect(job, target).toBe(`chat4all-${service.command![2]}`)
    }
  })
})
