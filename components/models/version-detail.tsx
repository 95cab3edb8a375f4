'use client';

import { useQuery } from '@tanstack/react-query';
import { formatTime } from '~/components/settings/util';
import { useTRPC } from '~/components/trpc/react';
import { formatMetric } from './format';

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
      <div className="card">
        <div className="empty">Loading…</div>
      </div>
    );
  const kb = v.onnxBytes === null ? null : v.onnxBytes / 1024;
  return (
    <div className="card" data-testid="version-detail">
      <div className="toolbar" style={{ justifyContent: 'space-between' }}>
        <h2>Version {v.version}</h2>
        <span className="muted" style={{ fontSize: 13 }}>
          {formatTime(v.createdAt)}
        </span>
      </div>
      <div className="toolbar" style={{ margin: '14px 0 4px', gap: 8 }} data-testid="downloads">
        {v.downloads.map((d) => (
          <a key={d.file} className="btn btn-sm" href={`${d.href}?org=${encodeURIComponent(org)}`} download>
            {FILE_LABELS[d.file] ?? d.file}
            {d.file === 'model.onnx' && kb !== null ? (
              <span className="muted"> · {kb < 1024 ? `${kb.toFixed(0)} KB` : `${(kb / 1024).toFixed(1)} MB`}</span>
            ) : null}
          </a>
        ))}
      </div>

      <h3 className="section-title" style={{ marginTop: 18 }}>
        Lineage
      </h3>
      <table className="kv" data-testid="lineage">
        <tbody>
          <tr>
            <td>Experiment run</td>
            <td className="mono">{v.lineage.experimentRunId ?? <span className="muted">not recorded</span>}</td>
          </tr>
          {v.lineage.dataset.map((f) => (
            <tr key={`${f.source}:${f.key}`}>
              <td>{f.key.replace(/^drivelab\./, '')}</td>
              <td className="mono">{f.value}</td>
            </tr>
          ))}
          {v.lineage.other.map((f) => (
            <tr key={`${f.source}:${f.key}`}>
              <td>{f.key.replace(/^drivelab\./, '')}</td>
              <td className="mono">{f.value}</td>
            </tr>
          ))}
          <tr>
            <td>Input</td>
            <td>
              {v.windowLength ? `windows of ${v.windowLength} rows × ` : ''}
              {v.features.length} features{v.target ? ` → ${v.target}` : ''}
            </td>
          </tr>
          {v.threshold !== null && (
            <tr>
              <td>Threshold</td>
              <td>{formatMetric(v.threshold)}</td>
            </tr>
          )}
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

      <h3 className="section-title">Features</h3>
      <table className="data" data-testid="feature-list">
        <thead>
          <tr>
            <th>#</th>
            <th>Feature</th>
            <th style={{ textAlign: 'right' }}>Mean</th>
            <th style={{ textAlign: 'right' }}>Std</th>
          </tr>
        </thead>
        <tbody>
          {v.features.map((f, i) => (
            <tr key={f.name}>
              <td className="muted">{i + 1}</td>
              <td className="mono">{f.name}</td>
              <td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatMetric(f.mean)}</td>
              <td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatMetric(f.std)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {v.importance && (
        <>
          <h3 className="section-title">Permutation importance</h3>
          <table className="data" data-testid="importance">
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
          </table>
        </>
      )}
      <div className="muted" style={{ fontSize: 12, marginTop: 8 }}>
        Inputs are standardised inside the ONNX graph with these statistics; send raw values.
      </div>
    </div>
  );
}
