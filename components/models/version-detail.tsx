'use client';

import { useQuery } from '@tanstack/react-query';
import { Time } from '~/components/ui/time';
import { useTRPC } from '~/components/trpc/react';
import { formatMetric } from './format';
import { LineageGraph } from './lineage-graph';
import { lineageNodes } from './lineage-nodes';
import { ButtonLink, Card, EmptyState, SectionTitle, Table } from '~/components/ui';

const FILE_LABELS: Record<string, string> = {
  'model.onnx': 'ONNX model',
  'sidecar.json': 'Sidecar (JSON)',
  'tfjs.json': 'TensorFlow.js (JSON)',
};

/** Lineage, features and downloads of one version. */
export function VersionDetail({ org, versionId }: { org: string; versionId: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.models.version.queryOptions({ org, id: versionId }));
  if (q.error) return <div className="alert alert-error">{q.error.message}</div>;
  const v = q.data;
  if (!v)
    return (
      <Card>
        <EmptyState>Loading…</EmptyState>
      </Card>
    );
  const kb = v.onnxBytes === null ? null : v.onnxBytes / 1024;
  return (
    <Card data-testid="version-detail">
      <div className="toolbar justify-between">
        <h2>Version {v.version}</h2>
        <span className="muted text-sm">
          <Time value={v.createdAt} />
        </span>
      </div>
      <div className="toolbar mt-3 mb-1" data-testid="downloads">
        {v.downloads.map((d) => (
          <ButtonLink size="sm" key={d.file} href={`${d.href}?org=${encodeURIComponent(org)}`} download>
            {FILE_LABELS[d.file] ?? d.file}
            {d.file === 'model.onnx' && kb !== null ? (
              <span className="muted"> · {kb < 1024 ? `${kb.toFixed(0)} KB` : `${(kb / 1024).toFixed(1)} MB`}</span>
            ) : null}
          </ButtonLink>
        ))}
      </div>

      <h3 className="section-title mt-4">Lineage</h3>
      <LineageGraph
        columns={lineageNodes(org, v.graph, {
          id: v.id,
          version: v.version,
          kind: v.kind,
          createdAt: v.createdAt,
          featureCount: v.features.length,
          threshold: v.threshold,
        })}
        extra={
          <>
            <table className="kv">
              <tbody>
                <tr>
                  <td>Input</td>
                  <td>
                    {v.windowLength ? `windows of ${v.windowLength} rows × ` : ''}
                    {v.features.length} features{v.target ? ` → ${v.target}` : ''}
                  </td>
                </tr>
                {v.classes && (
                  <tr>
                    <td>Classes</td>
                    <td>{v.classes.join(', ')}</td>
                  </tr>
                )}
                <tr>
                  <td>Outputs</td>
                  <td>{v.outputs.length ? v.outputs.map((o) => o.name).join(', ') : '—'}</td>
                </tr>
              </tbody>
            </table>
            {v.lineage.dataset.length + v.lineage.other.length > 0 && (
              // Everything the trainer wrote beside the weights: long, so folded away by default.
              <details className="mt-2" data-testid="lineage-facts">
                <summary>Recorded with the weights ({v.lineage.dataset.length + v.lineage.other.length})</summary>
                <table className="kv">
                  <tbody>
                    {[...v.lineage.dataset, ...v.lineage.other].map((f) => (
                      <tr key={`${f.source}:${f.key}`}>
                        <td>{f.key.replace(/^drivelab\./, '')}</td>
                        <td className="mono lineage-fact">{f.value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            )}
          </>
        }
      />

      <SectionTitle>Features</SectionTitle>
      <Table data-testid="feature-list">
        <thead>
          <tr>
            <th>#</th>
            <th>Feature</th>
            <th className="text-right">Mean</th>
            <th className="text-right">Std</th>
          </tr>
        </thead>
        <tbody>
          {v.features.map((f, i) => (
            <tr key={f.name}>
              <td className="muted">{i + 1}</td>
              <td className="mono">{f.name}</td>
              <td className="text-right num">{formatMetric(f.mean)}</td>
              <td className="text-right num">{formatMetric(f.std)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      {v.importance && (
        <>
          <SectionTitle>Permutation importance</SectionTitle>
          <Table data-testid="importance">
            <thead>
              <tr>
                <th>Feature</th>
                <th className="num">Δ {v.importance.metric} when shuffled</th>
                <th className="num">± std</th>
              </tr>
            </thead>
            <tbody>
              {v.importance.features.map((f) => (
                <tr key={f.feature}>
                  <td className="mono">{f.feature}</td>
                  <td className="num">{formatMetric(f.importance)}</td>
                  <td className="num">{formatMetric(f.std)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </>
      )}
      <div className="muted text-xs mt-2">
        Inputs are standardised inside the ONNX graph with these statistics; send raw values.
      </div>
    </Card>
  );
}
