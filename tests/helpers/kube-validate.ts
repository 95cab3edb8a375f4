import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { root } from '~/scripts/lib/proc';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
  [k: string]: unknown;
}

type ModelClass = new (data: never) => { validate(): void };

/** apiVersion/kind → the model class and its module, for the schema check and the type check. */
const MODELS: Record<string, { model: ModelClass; module: string }> = {
  'v1/ServiceAccount': { model: core.ServiceAccount, module: 'kubernetes-models/v1' },
  'v1/Service': { model: core.Service, module: 'kubernetes-models/v1' },
  'v1/ConfigMap': { model: core.ConfigMap, module: 'kubernetes-models/v1' },
  'v1/Secret': { model: core.Secret, module: 'kubernetes-models/v1' },
  'apps/v1/Deployment': { model: apps.Deployment, module: 'kubernetes-models/apps/v1' },
  'policy/v1/PodDisruptionBudget': { model: policy.PodDisruptionBudget, module: 'kubernetes-models/policy/v1' },
  'networking.k8s.io/v1/Ingress': { model: networking.Ingress, module: 'kubernetes-models/networking.k8s.io/v1' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: autoscaling.HorizontalPodAutoscaler,
    module: 'kubernetes-models/autoscaling/v2',
  },
  'batch/v1/Job': { model: batch.Job, module: 'kubernetes-models/batch/v1' },
  'keda.sh/v1alpha1/ScaledObject': { model: keda.ScaledObject, module: '@kubernetes-models/keda/keda.sh/v1alpha1' },
  'keda.sh/v1alpha1/TriggerAuthentication': {
    model: keda.TriggerAuthentication,
    module: '@kubernetes-models/keda/keda.sh/v1alpha1',
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    model: monitoring.PodMonitor,
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    model: monitoring.PrometheusRule,
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
  },
};

const key = (o: KubeObject) => `${o.apiVersion}/${o.kind}`;

/** Schema validation (the models' own validators); returns one message per invalid object. */
export function schemaErrors(objects: KubeObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const m = MODELS[key(o)];
    if (!m) {
      errors.push(`${key(o)} ${o.metadata?.name}: no schema known for this kind`);
      continue;
    }
    try {
      new m.model(o as never).validate();
    } catch (err) {
      errors.push(`${key(o)} ${o.metadata?.name}: ${(err as Error).message}`);
    }
  }
  return errors;
}

/**
 * The models' validators accept unknown fields (a misspelt `terminationGracePeriod` would pass).
 * TypeScript's excess-property check against the same models' declared interfaces catches them:
 * each object becomes a typed object literal in a generated file, compiled without emitting.
 */
export function unknownFieldErrors(objects: KubeObject[]): string[] {
  const dir = join(root, '.state', 'kube-check');
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, 'run-'));
  try {
    const imports = new Map<string, Set<string>>();
    const lines: string[] = [];
    objects.forEach((o, i) => {
      const m = MODELS[key(o)];
      if (!m) return;
      const iface = `I${o.kind}`;
      if (!imports.has(m.module)) imports.set(m.module, new Set());
      imports.get(m.module)!.add(iface);
      lines.push(`// ${key(o)} ${o.metadata?.name}`, `export const o${i}: ${iface} = ${JSON.stringify(o)};`);
    });
    const header = [...imports].map(([mod, names]) => `import type { ${[...names].join(', ')} } from '${mod}';`);
    const file = join(work, 'objects.ts');
    writeFileSync(file, [...header, ...lines].join('\n'));
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    const text = [...header, ...lines];
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return msg;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${text[line - 1] ?? ''}: ${msg}`.slice(0, 600);
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
