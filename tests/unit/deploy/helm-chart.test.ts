import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { WATCHED_GROUPS } from '~/server/kafka/pipeline';
import { chartDir, helm, type HelmResult } from '~/scripts/lib/helm';
import { root } from '~/scripts/lib/proc';
import { schemaErrors, unknownFieldErrors, type KubeObject } from '../../helpers/kube-validate';

/**
 * The Helm chart rendered offline with helm-java (Helm's own Go code): lint --strict, every
 * object against the Kubernetes / KEDA / prometheus-operator schemas plus an unknown-field check,
 * and the chart's invariants over random value combinations (fast-check).
 */
const KAFKA_WORKERS = ['sim', 'features', 'inference', 'recorder'] as const;
type Worker = (typeof KAFKA_WORKERS)[number];
const DEFAULT_GROUP: Record<Worker, string> = {
  sim: 'drivelab-sim',
  features: 'drivelab-features',
  inference: 'drivelab-inference',
  recorder: 'drivelab-recorder',
};
/** The group each worker really joins and its topic, from the code's one list. */
const REAL = Object.fromEntries(
  KAFKA_WORKERS.map((w) => {
    const g = WATCHED_GROUPS.find((x) => x.groupId === DEFAULT_GROUP[w]);
    if (!g) throw new Error(`${w}: no such group in WATCHED_GROUPS`);
    return [w, g];
  }),
) as Record<Worker, { groupId: string; topic: string }>;

const objectsOf = (yaml: string): KubeObject[] =>
  parseAllDocuments(yaml)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);

const componentOf = (o: KubeObject) => o.metadata.labels?.['app.kubernetes.io/component'] ?? '';

interface Values {
  kafka: { topicPrefix: string; partitions: number; topicPartitions: Record<string, number>; [k: string]: unknown };
  preStopSeconds: number;
  web: { drainSeconds: number; [k: string]: unknown };
  workers: Record<string, { drainSeconds: number; replicas: number; autoscaling: Record<string, unknown> }>;
  [k: string]: unknown;
}

const partitionsOf = (v: { kafka: { partitions: number; topicPartitions?: Record<string, number> } }, topic: string) =>
  topic === 'dl.models' ? 1 : (v.kafka.topicPartitions?.[topic] ?? v.kafka.partitions);

/** Every invariant the chart promises, for one rendering of one set of values. */
function checkInvariants(v: Values, objects: KubeObject[]): void {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const deployments = of('Deployment');
  expect(deployments.map(componentOf).sort()).toEqual(['features', 'inference', 'recorder', 'sim', 'trainer', 'web']);
  for (const d of deployments) {
    const c = componentOf(d);
    const spec = d.spec as {
      replicas?: number;
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          terminationGracePeriodSeconds: number;
          serviceAccountName: string;
          containers: {
            env: { name: string; value?: string }[];
            lifecycle: { preStop: { exec: { command: string[] } } };
            securityContext: { allowPrivilegeEscalation: boolean };
          }[];
        };
      };
    };
    const pod = spec.template.spec;
    const container = pod.containers[0]!;
    // Grace period > preStop + the drain the process itself is told (WORKER_DRAIN_S).
    const drain = Number(container.env.find((e) => e.name === 'WORKER_DRAIN_S')?.value);
    const preStop = Number(container.lifecycle.preStop.exec.command[1]);
    expect(drain).toBe(c === 'web' ? v.web.drainSeconds : v.workers[c]!.drainSeconds);
    expect(preStop).toBe(v.preStopSeconds);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drain);
    // The selector picks this component's pods and only them.
    for (const [k, val] of Object.entries(spec.selector.matchLabels))
      expect(spec.template.metadata.labels[k], `${c} selector ${k}`).toBe(val);
    expect(spec.selector.matchLabels['app.kubernetes.io/component']).toBe(c);
    // One ServiceAccount and one PDB per component, the PDB selecting exactly this Deployment's pods.
    expect(of('ServiceAccount').filter((s) => s.metadata.name === pod.serviceAccountName)).toHaveLength(1);
    const pdbs = of('PodDisruptionBudget').filter((p) => {
      const sel = (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      return Object.entries(sel).every(([k, val]) => spec.template.metadata.labels[k] === val);
    });
    expect(pdbs, `PDBs selecting ${c}`).toHaveLength(1);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
  }
  // No PDB selects pods of two components.
  for (const p of of('PodDisruptionBudget')) {
    const sel = (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const matched = deployments.filter((d) =>
      Object.entries(sel).every(
        ([k, val]) =>
          (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels[k] ===
          val,
      ),
    );
    expect(matched).toHaveLength(1);
  }
  const scaled = of('ScaledObject');
  for (const w of KAFKA_WORKERS) {
    const mode = v.workers[w]!.autoscaling.mode;
    const so = scaled.filter((s) => componentOf(s) === w);
    const hpa = of('HorizontalPodAutoscaler').filter((s) => componentOf(s) === w);
    const parts = partitionsOf(v, REAL[w].topic);
    expect(so).toHaveLength(mode === 'keda' ? 1 : 0);
    expect(hpa).toHaveLength(mode === 'hpa' ? 1 : 0);
    for (const s of so) {
      const spec = s.spec as {
        maxReplicaCount: number;
        scaleTargetRef: { name: string };
        triggers: { type: string; metadata: Record<string, string> }[];
      };
      expect(spec.triggers).toHaveLength(1);
      const t = spec.triggers[0]!;
      expect(t.type).toBe('kafka');
      expect(t.metadata.consumerGroup).toBe(`${v.kafka.topicPrefix}${REAL[w].groupId}`);
      expect(t.metadata.topic).toBe(`${v.kafka.topicPrefix}${REAL[w].topic}`);
      expect(t.metadata.lagThreshold).toBe(String(v.workers[w]!.autoscaling.lagThreshold));
      expect(spec.maxReplicaCount).toBeLessThanOrEqual(parts);
      expect(deployments.some((d) => d.metadata.name === spec.scaleTargetRef.name && componentOf(d) === w)).toBe(true);
    }
    for (const h of hpa) expect((h.spec as { maxReplicas: number }).maxReplicas).toBeLessThanOrEqual(parts);
    const d = deployments.find((x) => componentOf(x) === w)!;
    const replicas = (d.spec as { replicas?: number }).replicas;
    if (mode === 'none') expect(replicas).toBeLessThanOrEqual(parts);
    else expect(replicas).toBeUndefined(); // the autoscaler owns the count
  }
  // The recorder is one copy and is never two during a rollout.
  const recorder = deployments.find((d) => componentOf(d) === 'recorder')!;
  expect((recorder.spec as { replicas: number }).replicas).toBe(1);
  expect((recorder.spec as { strategy: { type: string } }).strategy.type).toBe('Recreate');
  // Secrets are referenced, never inlined.
  expect(of('Secret')).toHaveLength(0);
  for (const d of deployments) {
    const env = (d.spec as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } })
      .template.spec.containers[0]!.env;
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'NEXTAUTH_SECRET', 'KAFKA_SASL_PASSWORD'])
      expect(env.find((e) => e.name === name)?.value, name).toBeUndefined();
  }
}

/** Strips Helm hook annotations from a copy of the chart: helm-java's template leaves hooks out. */
function chartWithHooksAsManifests(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drivelab-chart-'));
  cpSync(chartDir, join(dir, 'drivelab'), { recursive: true });
  const job = join(dir, 'drivelab/templates/migration-job.yaml');
  writeFileSync(
    job,
    readFileSync(job, 'utf8')
      .split('\n')
      .filter((l) => !l.includes('helm.sh/hook') && !/^\s+annotations:\s*$/.test(l))
      .join('\n'),
  );
  return join(dir, 'drivelab');
}

const examples = join(root, 'deploy/helm/examples');
/** The production example overrides only some values: workers and per-topic partitions may be absent. */
type OverrideValues = Omit<Values, 'kafka' | 'workers'> & {
  kafka: { topicPrefix: string; partitions: number; topicPartitions?: Record<string, number>; [k: string]: unknown };
  workers?: Values['workers'];
};
const production = () => parseYaml(readFileSync(join(examples, 'values-production.yaml'), 'utf8')) as OverrideValues;
const defaults = () => parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Values;

function randomValues(): Values[] {
  const mode = fc.constantFrom('keda', 'hpa', 'none');
  const arbitrary = fc.record({
    prefix: fc.constantFrom('', 'prod.', 'team-a.'),
    partitions: fc.integer({ min: 1, max: 12 }),
    telemetry: fc.option(fc.integer({ min: 1, max: 24 }), { nil: undefined }),
    features: fc.option(fc.integer({ min: 1, max: 24 }), { nil: undefined }),
    preStop: fc.integer({ min: 0, max: 30 }),
    drain: fc.integer({ min: 1, max: 120 }),
    webDrain: fc.integer({ min: 1, max: 60 }),
    modes: fc.record({ sim: mode, features: mode, inference: mode }),
    max: fc.record({
      sim: fc.integer({ min: 1, max: 16 }),
      features: fc.integer({ min: 1, max: 16 }),
      inference: fc.integer({ min: 1, max: 16 }),
    }),
    lag: fc.integer({ min: 1, max: 100_000 }),
    sasl: fc.constantFrom('', 'plain', 'scram-sha-256', 'scram-sha-512'),
    tls: fc.boolean(),
    ingress: fc.boolean(),
  });
  const samples = fc.sample(arbitrary, { numRuns: 24, seed: 18 });
  const values = samples.map((s) => {
    const v = defaults();
    v.kafka.topicPrefix = s.prefix;
    v.kafka.partitions = s.partitions;
    v.kafka.topicPartitions = {
      ...(s.telemetry ? { 'dl.telemetry': s.telemetry } : {}),
      ...(s.features ? { 'dl.features': s.features } : {}),
    };
    v.kafka.sasl = {
      mechanism: s.sasl,
      username: s.sasl ? 'drivelab' : '',
      passwordSecret: { name: 'kafka-user', key: 'password' },
    };
    v.kafka.tls = {
      enabled: s.tls,
      caSecret: { name: s.tls ? 'kafka-ca' : '', key: 'ca.crt' },
      clientSecret: { name: '', certKey: 'user.crt', keyKey: 'user.key' },
    };
    v.preStopSeconds = s.preStop;
    v.web.drainSeconds = s.webDrain;
    (v.web.ingress as Record<string, unknown>).enabled = s.ingress;
    for (const w of ['sim', 'features', 'inference'] as const) {
      v.workers[w]!.drainSeconds = s.drain;
      v.workers[w]!.autoscaling = {
        ...v.workers[w]!.autoscaling,
        mode: s.modes[w],
        maxReplicas: s.max[w],
        minReplicas: 1,
        lagThreshold: s.lag,
      };
      v.workers[w]!.replicas = 1;
    }
    return v;
  });
  return values;
}

const values = randomValues();

describe('Helm chart deploy/helm/drivelab', () => {
  let rendered: HelmResult;
  let hooked: HelmResult;
  let prod: HelmResult;
  let lint: HelmResult;
  let outsideSchema: HelmResult[];
  let sampled: HelmResult[];

  // Every Helm run of this file in one JVM (about 15 s to start on its own).
  beforeAll(async () => {
    const chart = chartWithHooksAsManifests();
    const two = defaults();
    two.workers.recorder!.replicas = 2;
    const typo = { ...defaults(), preStopSecs: 5 };
    try {
      const r = await helm([
        { lint: chartDir },
        {},
        { values: production() as unknown as Record<string, unknown> },
        { chart },
        { values: two as unknown as Record<string, unknown> },
        { values: typo },
        ...values.map((v) => ({ values: v })),
      ]);
      [lint, rendered, prod, hooked] = r as [HelmResult, HelmResult, HelmResult, HelmResult];
      outsideSchema = r.slice(4, 6);
      sampled = r.slice(6);
    } finally {
      rmSync(join(chart, '..'), { recursive: true, force: true });
    }
  }, 240_000);

  it('passes helm lint --strict', () => {
    if ('error' in lint) throw new Error(lint.error);
    expect(lint.yaml).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('renders valid Kubernetes, KEDA and prometheus-operator objects with no unknown fields', () => {
    const all: KubeObject[] = [];
    for (const r of [rendered, prod, hooked]) {
      if ('error' in r) throw new Error(r.error);
      const objects = objectsOf(r.yaml);
      expect(objects.length).toBeGreaterThan(20);
      expect(schemaErrors(objects)).toEqual([]);
      all.push(...objects);
    }
    // One compile for all three renderings.
    expect(unknownFieldErrors(all)).toEqual([]);
    const kinds = new Set(objectsOf((prod as { yaml: string }).yaml).map((o) => o.kind));
    // The PrometheusRule carries deploy/monitoring's rules unchanged ({{ $labels }} left to Prometheus).
    const rule = objectsOf((prod as { yaml: string }).yaml).find((o) => o.kind === 'PrometheusRule')!;
    expect(rule.spec).toEqual(parseYaml(readFileSync(join(chartDir, 'files/alerts.yaml'), 'utf8')));
    for (const k of ['Ingress', 'HorizontalPodAutoscaler', 'ScaledObject', 'TriggerAuthentication', 'PodMonitor'])
      expect(kinds.has(k), k).toBe(true);
  });

  it('holds its invariants for the defaults and the production example', () => {
    checkInvariants(defaults(), objectsOf((rendered as { yaml: string }).yaml));
    const p = production();
    const merged = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Values;
    merged.kafka = { ...merged.kafka, ...p.kafka };
    for (const [w, pw] of Object.entries(p.workers ?? {}))
      merged.workers[w]!.autoscaling = { ...merged.workers[w]!.autoscaling, ...pw.autoscaling };
    checkInvariants(merged, objectsOf((prod as { yaml: string }).yaml));
  });

  it('runs the migration as a pre-install/pre-upgrade hook Job', () => {
    const src = readFileSync(join(chartDir, 'templates/migration-job.yaml'), 'utf8');
    expect(src).toContain('helm.sh/hook: pre-install,pre-upgrade');
    const jobs = objectsOf((hooked as { yaml: string }).yaml).filter((o) => o.kind === 'Job');
    expect(jobs).toHaveLength(1);
    const c = (jobs[0]!.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec
      .containers[0]!;
    expect(c.args).toEqual(['migrate']);
  });

  it('the unknown-field check catches a misspelt field (it can fail)', () => {
    const objects = objectsOf((rendered as { yaml: string }).yaml);
    const d = structuredClone(objects.find((o) => o.kind === 'Deployment')!);
    (d.spec as Record<string, unknown>).terminationGracePeriod = 30;
    expect(schemaErrors([d])).toEqual([]); // the schema alone lets it through
    expect(unknownFieldErrors([d]).join('\n')).toMatch(/terminationGracePeriod/);
  });

  it('Strimzi example topics have at least as many partitions as the production values allow copies', () => {
    const docs = parseAllDocuments(readFileSync(join(examples, 'strimzi-kafka.yaml'), 'utf8')).map(
      (d) => d.toJS() as KubeObject,
    );
    const topics = new Map(
      docs
        .filter((d) => d.kind === 'KafkaTopic')
        .map((d) => [(d.spec as { topicName: string }).topicName, (d.spec as { partitions: number }).partitions]),
    );
    const p = production();
    for (const w of ['features', 'inference', 'sim'] as const) {
      const max = Number(p.workers?.[w]?.autoscaling.maxReplicas);
      expect(topics.get(REAL[w].topic), REAL[w].topic).toBeGreaterThanOrEqual(max);
      expect(partitionsOf(p, REAL[w].topic)).toBe(topics.get(REAL[w].topic));
    }
    const pg = parseYaml(readFileSync(join(examples, 'cloudnativepg.yaml'), 'utf8')) as KubeObject;
    expect(p.database).toEqual({ urlSecret: { name: `${pg.metadata.name}-app`, key: 'uri' } });
  });

  it('keeps its invariants over random value combinations, and refuses more copies than partitions', () => {
    const results = sampled;
    let refused = 0;
    let accepted = 0;
    results.forEach((r, i) => {
      const v = values[i]!;
      const over = (['sim', 'features', 'inference'] as const).find(
        (w) =>
          v.workers[w]!.autoscaling.mode !== 'none' &&
          Number(v.workers[w]!.autoscaling.maxReplicas) > partitionsOf(v, REAL[w].topic),
      );
      if (over) {
        expect('error' in r, `sample ${i}: ${over} above its partitions must be refused`).toBe(true);
        expect((r as { error: string }).error).toMatch(new RegExp(`workers\\.\\w+: at most \\d+ copies`));
        refused++;
        return;
      }
      if ('error' in r) throw new Error(`sample ${i} failed: ${r.error}`);
      const objects = objectsOf(r.yaml);
      checkInvariants(v, objects);
      expect(schemaErrors(objects)).toEqual([]);
      accepted++;
    });
    // Both branches were exercised.
    expect(refused).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });

  it('refuses values outside values.schema.json (a second recorder, an unknown key)', () => {
    const [a, b] = outsideSchema;
    expect('error' in a! && a.error).toMatch(/recorder/);
    expect('error' in b! && b.error).toMatch(/preStopSecs/);
  });
});
