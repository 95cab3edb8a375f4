'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import { KIND_LABELS } from './use-training-live';
import { Button, Card, EmptyState, Field, Input, SectionTitle, Select, Table } from '~/components/ui';

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
      <SectionTitle>Scheduled retraining</SectionTitle>
      <Card flush>
        {schedules.data && schedules.data.length === 0 ? (
          <EmptyState>
            No schedules. A schedule rebuilds its dataset from the newest data and trains a new version of the model.
          </EmptyState>
        ) : (
          <Table>
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
                  <td className="text-right">
                    {canRun && (
                      <Button
                        size="sm"
                        onClick={() => remove.mutate({ org, id: s.id }, { onSettled: () => void schedules.refetch() })}
                      >
                        Remove
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      {canRun && (
        <Card className="mt-3">
          {error && <div className="alert alert-error">{error}</div>}
          <div className="form-row">
            <Field label="Model name">
              <Input
                value={form.modelName}
                onChange={(e) => setForm({ ...form, modelName: e.target.value })}
                placeholder="e.g. brake-anomaly"
              />
            </Field>
            <Field label="Dataset">
              <Select value={form.datasetId} onChange={(e) => setForm({ ...form, datasetId: e.target.value })}>
                <option value="">Choose…</option>
                {datasets.data?.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Kind">
              <Select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
                {Object.entries(KIND_LABELS).map(([k, l]) => (
                  <option key={k} value={k}>
                    {l}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Cron (UTC)">
              <Input width="sm" value={form.cron} onChange={(e) => setForm({ ...form, cron: e.target.value })} />
            </Field>
            <div className="field self-end">
              <Button
                variant="primary"
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
              </Button>
            </div>
          </div>
        </Card>
      )}
    </>
  );
}
