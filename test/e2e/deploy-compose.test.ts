/**
 * The compose deployment and its image: `docker-compose config -q` accepts the file (with its
 * secrets given, and refuses it without them), every Chat4All service runs the image built from
 * deploy/Dockerfile, and the Dockerfile builds in stages and runs as a user that is not root.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { dockerComposeAvailable } from '../support/deploy-tools.js'

const deploy = new URL('../../deploy/', import.meta.url).pathname
const run = promisify(execFile)
const hasCompose = dockerComposeAvailable()
const composeFile = join(deploy, 'compose.yaml')

interface Service {
  readonly image?: string
  readonly build?: { readonly context: string; readonly dockerfile: string }
  readonly command?: readonly string[]
  readonly environment?: Record<string, string>
}
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service> }
const chat4all = Object.entries(compose.services).filter(([, service]) => service.command?.[0] === 'serve')

/** Only PATH: the secrets must come from the env file, not from whoever runs the test. */
const bareEnv = { PATH: process.env['PATH'] ?? '' }

describe('deploy/compose.yaml', () => {
  it.skipIf(!hasCompose)('is valid for docker-compose with the example secrets', async () => {
    const { stdout, stderr } = await run('docker-compose', ['-f', composeFile, '--env-file', join(deploy, '.env.example'), 'config', '-q'], { env: bareEnv })
    expect(stdout + stderr).toBe('')
  })

  it.skipIf(!hasCompose)('refuses to start without its secrets, naming the missing one', async () => {
    const failed = await run('docker-compose', ['-f', composeFile, 'config', '-q'], { env: bareEnv }).then(
      () => undefined,
      (error: { stderr: string }) => error.stderr,
    )
    expect(failed).toMatch(/set (POSTGRES_PASSWORD|MINIO_ROOT_PASSWORD|CHAT4ALL_JWT_SECRET|GRAFANA_ADMIN_PASSWORD)/)
  })

  it('runs the scaled-out shape: several API processes, workers and relays, a connector, and the backing services', () => {
    const roles = chat4all.map(([, service]) => service.command![2])
    expect(roles.filter((r) => r === 'api').length, 'API processes').toBeGreaterThanOrEqual(2)
    expect(roles.filter((r) => r === 'worker').length, 'workers').toBeGreaterThanOrEqual(2)
    expect(roles.filter((r) => r === 'relay').length, 'relays').toBeGreaterThanOrEqual(2)
    expect(roles).toContain('connector')
    for (const service of ['postgres', 'nats', 'minio', 'prometheus', 'grafana', 'otel-collector']) expect(compose.services, service).toHaveProperty(service)
    expect(compose.services['nats']?.command, 'NATS with JetStream').toContain('-js')
    for (const [name, service] of chat4all) {
      expect(service.image, name).toBe('chat4all:local')
      expect(service.environment?.['CHAT4ALL_DB'], name).toMatch(/^postgres:\/\//)
      expect(service.environment?.['CHAT4ALL_BUS'], name).toMatch(/^nats:\/\//)
      expect(service.environment?.['CHAT4ALL_BLOBS'], name).toMatch(/^s3:\/\//)
      expect(service.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT'], name).toBe('http://otel-collector:4318')
    }
    const built = chat4all.filter(([, service]) => service.build)
    expect(built.map(([, service]) => service.build), 'one service builds the image the others share').toEqual([{ context: '..', dockerfile: 'deploy/Dockerfile' }])
  })

  it('spreads the entry point over every API process', () => {
    const nginx = readFileSync(join(deploy, 'compose/nginx.conf'), 'utf8')
    const upstream = [...nginx.matchAll(/server (\S+):8080;/g)].map((m) => m[1]).sort()
    expect(upstream).toEqual(chat4all.filter(([, s]) => s.command![2] === 'api').map(([name]) => name).sort())
  })
})

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8')
  const stages = dockerfile.split(/^FROM /m).slice(1)

  it('builds in one stage and runs from another that holds no build tools', () => {
    expect(stages.length, 'multi-stage').toBeGreaterThanOrEqual(2)
    const runtime = stages[stages.length - 1]!
    expect(stages[0]).toMatch(/npm ci/)
    expect(runtime).not.toMatch(/apt-get install|g\+\+|python3/)
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/)
    expect(runtime, 'production dependencies only').toMatch(/COPY --from=build \/app\/node_modules/)
    expect(stages[0]).toMatch(/npm prune --omit=dev/)
  })

  it('runs as an unprivileged user and starts the compiled build', () => {
    const runtime = stages[stages.length - 1]!
    const user = /^USER (\S+)/m.exec(runtime)?.[1]
    expect(user).toBeDefined()
    expect(['root', '0']).not.toContain(user)
    expect(runtime).toMatch(/ENTRYPOINT \["node", "--enable-source-maps", "dist\/main\.js"\]/)
  })
})
