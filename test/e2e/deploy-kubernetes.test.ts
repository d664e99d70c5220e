/**
 * The Kubernetes manifests of deploy/kubernetes, checked offline: every object is validated against
 * the Kubernetes OpenAPI schema of its kind (kubernetes-models, generated from the upstream API
 * definitions), then against what the platform needs — probes on /ready and /health, a non-root
 * user, autoscalers for the API and the workers, a disruption budget for every Deployment whose
 * selector matches it. Not covered: admission policies of a particular cluster, and CRDs.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'

const dir = new URL('../../deploy/kubernetes/', import.meta.url).pathname

interface Manifest {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string }
}

/** A model per kind: its constructor takes the object, `validate()` throws with the schema path at fault. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
}

const files = readdirSync(dir).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
const objects = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map(String).join('; ')}`)
    return { file, manifest: doc.toJS() as Manifest }
  }),
)
const ofKind = <T>(kind: string) => objects.filter((o) => o.manifest.kind === kind).map((o) => o.manifest as unknown as T)
const deployments = ofKind<IDeployment>('Deployment')

describe('deploy/kubernetes', () => {
  it('holds only objects valid against the Kubernetes schema of their kind', () => {
    expect(objects.length).toBeGreaterThan(0)
    for (const { file, manifest } of objects) {
      const model = models[`${manifest.apiVersion}/${manifest.kind}`]
      expect(model, `${file}: ${manifest.apiVersion} ${manifest.kind} has a schema here`).toBeDefined()
      expect(() => new model!(manifest as never).validate(), `${file}: ${manifest.kind} ${manifest.metadata.name}`).not.toThrow()
    }
  })

  it('rejects an invalid object (the validation is real)', () => {
    const broken = structuredClone(deployments[0]!) as { spec: { template: { spec: { containers: { ports: unknown[] }[] } } } }
    broken.spec.template.spec.containers[0]!.ports = [{ containerPort: 'eighty' }]
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort/)
  })

  it('runs every role with readiness on /ready, liveness on /health, as a non-root user', () => {
    const roles = deployments.map((d) => d.spec!.template.spec!.containers[0]!.args?.[2])
    expect(roles.sort()).toEqual(['api', 'connector', 'relay', 'worker'])
    for (const deployment of deployments) {
      const pod = deployment.spec!.template.spec!
      const container = pod.containers[0]!
      const name = deployment.metadata!.name
      expect(container.readinessProbe?.httpGet?.path, name).toBe('/ready')
      expect(container.livenessProbe?.httpGet?.path, name).toBe('/health')
      const portNames = (container.ports ?? []).map((p) => p.name)
      expect(portNames, `${name}: probes use a declared port`).toContain(container.readinessProbe?.httpGet?.port)
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true)
      expect(container.securityContext?.allowPrivilegeEscalation, name).toBe(false)
      expect(deployment.spec!.template.metadata?.annotations?.['prometheus.io/path'], `${name} is scraped`).toBe('/metrics')
    }
  })

  it('scales the API and the workers automatically, and keeps every role available through disruptions', () => {
    const byName = new Map(deployments.map((d) => [d.metadata!.name!, d]))
    const scaled = ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler').map((h) => h.spec!.scaleTargetRef.name)
    expect(scaled.sort()).toEqual(['chat4all-api', 'chat4all-worker'])
    for (const name of scaled) expect(byName.has(name), `${name} exists`).toBe(true)
    const budgets = ofKind<IPodDisruptionBudget>('PodDisruptionBudget')
    for (const deployment of deployments) {
      const labels = deployment.spec!.template.metadata!.labels!
      const covering = budgets.filter((b) => Object.entries(b.spec!.selector!.matchLabels!).every(([key, value]) => labels[key] === value))
      expect(covering.length, `${deployment.metadata!.name} has exactly one disruption budget`).toBe(1)
      const minAvailable = covering[0]!.spec!.minAvailable
      if (typeof minAvailable === 'number') expect(minAvailable, deployment.metadata!.name).toBeLessThan(deployment.spec!.replicas!)
    }
  })

  it('lists every manifest in the kustomization', () => {
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] }
    expect([...kustomization.resources].sort()).toEqual([...files].sort())
  })
})
