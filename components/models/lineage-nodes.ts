/**
 * The nodes of a model version's lineage graph (dataset → training job → version → aliases),
 * built from the records the models.version query returns. Pure, so the shape is unit tested;
 * components/models/lineage-graph.tsx draws them.
 */
import { KIND_LABELS } from '~/components/training/use-training-live';

export type LineageKind = 'dataset' | 'job' | 'version' | 'alias';

export interface LineageDetail {
  label: string;
  value: string | Date;
  href?: string;
}

export interface LineageNode {
  id: string;
  kind: LineageKind;
  /** What the node is ("Dataset"), then which one ("Vehicle temps v3"). */
  caption: string;
  name: string;
  /** Nothing recorded for this step (an uploaded model has no dataset or job). */
  missing?: boolean;
  href?: string;
  details: LineageDetail[];
}

export interface LineageRecords {
  run: { id: string; name: string; experimentId: string } | null;
  job: {
    id: string;
    kind: string;
    state: string;
    createdAt: Date | string;
    finishedAt: Date | string | null;
    backend: string | null;
    epoch: number;
  } | null;
  dataset: {
    id: string;
    name: string;
    version: number;
    rowCount: number;
    groupCount: number;
    fingerprint: string;
    labelKind: string;
    createdAt: Date | string;
  } | null;
  aliases: { name: string; canary: boolean; canaryWeight: number; updatedAt: Date | string }[];
}

export interface LineageVersion {
  id: string;
  version: number;
  kind: string;
  createdAt: Date | string;
  featureCount: number;
  threshold: number | null;
}

const asDate = (d: Date | string) => (d instanceof Date ? d : new Date(d));

/** The graph's columns left to right; the last column holds one node per alias. */
export function lineageNodes(org: string, records: LineageRecords, v: LineageVersion): LineageNode[][] {
  const o = `/${org}`;
  const d = records.dataset;
  const dataset: LineageNode = d
    ? {
        id: 'dataset',
        kind: 'dataset',
        caption: 'Dataset',
        name: `${d.name} v${d.version}`,
        href: `${o}/datasets/${d.id}`,
        details: [
          { label: 'Dataset', value: d.name, href: `${o}/datasets/${d.id}` },
          { label: 'Version', value: `v${d.version}` },
          { label: 'Rows', value: d.rowCount.toLocaleString('en-US') },
          { label: 'Groups (vehicles or units)', value: String(d.groupCount) },
          { label: 'Labels', value: d.labelKind === 'none' ? 'unlabelled' : d.labelKind },
          { label: 'Fingerprint', value: d.fingerprint },
          { label: 'Built', value: asDate(d.createdAt) },
        ],
      }
    : { id: 'dataset', kind: 'dataset', caption: 'Dataset', name: 'Not recorded', missing: true, details: [] };
  const j = records.job;
  const run = records.run;
  const job: LineageNode = j
    ? {
        id: 'job',
        kind: 'job',
        caption: 'Training job',
        name: KIND_LABELS[j.kind] ?? j.kind,
        href: `${o}/training/${j.id}`,
        details: [
          { label: 'Job', value: KIND_LABELS[j.kind] ?? j.kind, href: `${o}/training/${j.id}` },
          { label: 'State', value: j.state },
          { label: 'Epochs run', value: String(j.epoch) },
          { label: 'Backend', value: j.backend ?? '—' },
          { label: 'Created', value: asDate(j.createdAt) },
          ...(j.finishedAt ? [{ label: 'Finished', value: asDate(j.finishedAt) }] : []),
          ...(run
            ? [
                {
                  label: 'Experiment run',
                  value: run.name,
                  href: `${o}/experiments/${run.experimentId}?runs=${run.id}`,
                },
              ]
            : []),
        ],
      }
    : run
      ? {
          id: 'job',
          kind: 'job',
          caption: 'Experiment run',
          name: run.name,
          href: `${o}/experiments/${run.experimentId}?runs=${run.id}`,
          details: [
            { label: 'Experiment run', value: run.name, href: `${o}/experiments/${run.experimentId}?runs=${run.id}` },
          ],
        }
      : { id: 'job', kind: 'job', caption: 'Training', name: 'Uploaded, not trained here', missing: true, details: [] };
  const version: LineageNode = {
    id: 'version',
    kind: 'version',
    caption: 'Model version',
    name: `v${v.version}`,
    details: [
      { label: 'Version', value: `v${v.version}` },
      { label: 'Kind', value: KIND_LABELS[v.kind] ?? v.kind },
      { label: 'Features', value: String(v.featureCount) },
      ...(v.threshold !== null ? [{ label: 'Threshold', value: String(v.threshold) }] : []),
      { label: 'Registered', value: asDate(v.createdAt) },
    ],
  };
  const aliases: LineageNode[] = records.aliases.length
    ? records.aliases.map((a) => ({
        id: `alias:${a.name}`,
        kind: 'alias',
        caption: a.canary ? 'Canary of alias' : 'Alias',
        name: a.canary ? `${a.name} (${Math.round(a.canaryWeight * 100)}%)` : a.name,
        details: [
          { label: 'Alias', value: a.name },
          {
            label: 'Traffic',
            value: a.canary
              ? `canary, ${Math.round(a.canaryWeight * 100)}% of requests`
              : 'all requests not sent to a canary',
          },
          { label: 'Moved', value: asDate(a.updatedAt) },
        ],
      }))
    : [{ id: 'alias:none', kind: 'alias', caption: 'Alias', name: 'Not deployed', missing: true, details: [] }];
  return [[dataset], [job], [version], aliases];
}
