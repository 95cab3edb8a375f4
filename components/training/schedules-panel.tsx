'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, relative } from '~/components/settings/util';
import { useTRPC } from '~/components/trpc/react';
import { KIND_LABELS } from './use-training-live';

/** Cron retraining per model: rebuild the dataset from the newest data, train, register a version. */
export function SchedulesPanel({ org, canRun }: { org: string; canRun: boolean }) {
  const trpc = useTRPC();
  const schedules = useQuery(trpc.training.schedules.queryOptions({ org }));
  const datasets = useQuery(trpc.datasets.list.queryOptions({ org }));
  const save = useMutation(trpc.training.setSchedule.mutationOptions());
  const remove = useMutation(trpc.training.deleteSchedule.mutationOptions());
  const [form, setForm] = useState({
    modelName: '',
    cron: '0 3 * * *',
    datasetId: '',
    kind: 'autoencoder',
  });
  const [error, setError] = useState<string | null>(null);

  return (
    <>
      <h3 className="section-title">Scheduled retraining</h3>
      <div className="card" style={{ padding: 0 }}>
        {schedules.data && schedules.data.length === 0 ? (
          <div className="empty">
            No schedules. A schedule rebuilds its dataset from the newest data and trains a new version of the model.
          </div>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>Model</th>
                <th>Kind</th>
                <th>Cron (UTC)</th>
                <th>Last run</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {schedules.data?.map((s) => (
                <tr key={s.id}>
                  <td>{s.modelName}</td>
                  <td>{KIND_LABELS[s.kind] ?? s.kind}</td>
                  <td>
                    <code>{s.cron}</code>
                  </td>
                  <td className="muted">
                    {s.lastJobId ? <a href={`/${org}/training/${s.lastJobId}`}>{relative(s.lastRunAt)}</a> : 'never'}
                  </td>
                  <td style={{ textAlign: 'right' }}>
                    {canRun && (
                      <button
                        className="btn btn-sm"
                        onClick={() => remove.mutate({ org, id: s.id }, { onSettled: () => void schedules.refetch() })}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {canRun && (
        <div className="card" style={{ marginTop: 12 }}>
          {error && <div className="alert alert-error">{error}</div>}
          <div className="form-row">
            <div className="field">
              <label>
                Model name
                <input
                  className="input"
                  value={form.modelName}
                  onChange={(e) => setForm({ ...form, modelName: e.target.value })}
                  placeholder="e.g. brake-anomaly"
                />
              </label>
            </div>
            <div className="field">
              <label>
                Dataset
                <select
                  className="input"
                  value={form.datasetId}
                  onChange={(e) => setForm({ ...form, datasetId: e.target.value })}
                >
                  <option value="">Choose…</option>
                  {datasets.data?.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div className="field">
              <label>
                Kind
                <select
                  className="input"
                  value={form.kind}
                  onChange={(e) => setForm({ ...form, kind: e.target.value })}
                >
                  {Object.entries(KIND_LABELS).map(([k, l]) => (
                    <option key={k} value={k}>
                      {l}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div className="field">
              <label>
                Cron (UTC)
                <input
                  className="input"
                  style={{ width: 140 }}
                  value={form.cron}
                  onChange={(e) => setForm({ ...form, cron: e.target.value })}
                />
              </label>
            </div>
            <div className="field" style={{ alignSelf: 'flex-end' }}>
              <button
                className="btn btn-primary"
                disabled={!form.modelName || !form.datasetId || save.isPending}
                onClick={() => {
                  setError(null);
                  save.mutate(
                    { org, ...form, kind: form.kind as 'autoencoder' },
                    { onError: (e) => setError(errorMessage(e)), onSuccess: () => void schedules.refetch() },
                  );
                }}
              >
                Add schedule
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
