'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { fieldErrors, pathKey, serverIssues, type IssueLike } from '~/components/forms/issues';
import { errorMessage } from '~/components/trpc/error-message';
import { trainingParamsSchema } from '~/server/contracts/training';
import { useTRPC } from '~/components/trpc/react';
import { KIND_LABELS } from './use-training-live';
import { Alert, Button, Card, Field, Input, Select } from '~/components/ui';

type Kind = 'autoencoder' | 'mlp-classifier' | 'mlp-regressor' | 'cnn-regressor';

/** Which kinds a dataset's labels allow. */
const kindsFor = (labelKind: string): Kind[] =>
  labelKind === 'regression'
    ? ['cnn-regressor', 'mlp-regressor', 'autoencoder']
    : labelKind === 'none'
      ? ['autoencoder']
      : ['autoencoder', 'mlp-classifier'];

const FIELDS: { key: string; label: string; kinds: Kind[]; step?: number; list?: boolean }[] = [
  { key: 'epochs', label: 'Max epochs', kinds: ['autoencoder', 'mlp-classifier', 'mlp-regressor', 'cnn-regressor'] },
  { key: 'batchSize', label: 'Batch size', kinds: ['autoencoder', 'mlp-classifier', 'mlp-regressor', 'cnn-regressor'] },
  {
    key: 'patience',
    label: 'Early-stopping patience',
    kinds: ['autoencoder', 'mlp-classifier', 'mlp-regressor', 'cnn-regressor'],
  },
  {
    key: 'learningRate',
    label: 'Learning rate',
    kinds: ['autoencoder', 'mlp-classifier', 'mlp-regressor', 'cnn-regressor'],
    step: 0.0001,
  },
  { key: 'thresholdPercentile', label: 'Threshold percentile (validation)', kinds: ['autoencoder'], step: 0.1 },
  { key: 'hidden', label: 'Hidden layers (comma-separated)', kinds: ['mlp-classifier', 'mlp-regressor'], list: true },
  { key: 'dropout', label: 'Dropout', kinds: ['mlp-classifier', 'mlp-regressor'], step: 0.05 },
  { key: 'windowLength', label: 'Window length (rows)', kinds: ['cnn-regressor'] },
  { key: 'smoothing', label: 'Smoothing alpha (1 = raw)', kinds: ['cnn-regressor'], step: 0.01 },
  { key: 'learningRateDecay', label: 'Learning-rate decay / epoch', kinds: ['cnn-regressor'], step: 0.01 },
];

/** Start a training job: dataset version, kind, hyperparameters pre-filled with the kind's defaults. */
export function TrainingForm({ org, initialVersionId }: { org: string; initialVersionId?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const datasets = useQuery(trpc.datasets.list.queryOptions({ org }));
  const defaults = useQuery(trpc.training.defaults.queryOptions({ org }));
  const start = useMutation(trpc.training.start.mutationOptions());
  const [chosenVersionId, setVersionId] = useState(initialVersionId ?? '');
  const [chosenKind, setKind] = useState<Kind>('autoencoder');
  const [experiment, setExperiment] = useState('');
  const [modelName, setModelName] = useState('');
  const [tags, setTags] = useState('');
  // What the user typed, per kind: untouched fields show the kind's defaults.
  const [edits, setEdits] = useState<Partial<Record<Kind, Record<string, string>>>>({});
  const [error, setError] = useState<string | null>(null);
  // Errors show once the user tried to start (not while typing the first digit).
  const [tried, setTried] = useState(false);
  const [saveIssues, setSaveIssues] = useState<IssueLike[]>([]);

  // Derived, not copied into state by effects: the first dataset until one is chosen, and a kind
  // the chosen dataset's labels do not allow falls back to the first that they do.
  const versionId = chosenVersionId || datasets.data?.[0]?.latest?.id || '';
  const version = useMemo(() => datasets.data?.find((d) => d.latest?.id === versionId), [datasets.data, versionId]);
  const allowed = version?.latest ? kindsFor(version.latest.labelKind) : (Object.keys(KIND_LABELS) as Kind[]);
  const kind = version?.latest && !allowed.includes(chosenKind) ? allowed[0]! : chosenKind;
  const kindDefaults = (defaults.data?.[kind] ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(kindDefaults).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
    ),
    ...edits[kind],
  };

  const shown = FIELDS.filter((f) => f.kinds.includes(kind));
  const { params, issues } = useMemo(() => {
    const out: Record<string, unknown> = {};
    const found: IssueLike[] = [];
    for (const f of shown) {
      const raw = values[f.key]?.trim();
      if (!raw) continue;
      const nums = f.list ? raw.split(',').map((s) => Number(s.trim())) : [Number(raw)];
      // "abc" or "16, x" is named at its field, never sent as NaN for the server to reject.
      if (nums.some((n) => !Number.isFinite(n)))
        found.push({ path: [f.key], code: 'invalid_type', received: 'NaN', message: 'not a number' });
      out[f.key] = f.list ? nums : nums[0];
    }
    // The rest is checked too, so every wrong field is named at once, not one per try. A field
    // that is not a number already has its issue (listed first, so it wins at that field).
    const numeric = Object.fromEntries(Object.entries(out).filter(([k]) => !found.some((i) => pathKey(i.path) === k)));
    const parsed = trainingParamsSchema.safeParse(numeric);
    if (!parsed.success) found.push(...parsed.error.issues);
    for (const i of saveIssues) found.push({ ...i, path: pathKey(i.path).replace(/^params\./, '') });
    return { params: out, issues: found };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shown` follows `kind`
  }, [values, kind, saveIssues]);
  const errors = fieldErrors(issues, (key) => {
    const f = FIELDS.find((x) => x.key === key.split('.')[0]);
    return f ? { label: f.label.replace(/ \(.*\)$/, '') } : undefined;
  });
  const errorOf = (key: string) =>
    tried ? (errors[key] ?? Object.entries(errors).find(([k]) => k.startsWith(`${key}.`))?.[1]) : undefined;
  const blocked = !versionId ? 'Choose a dataset first' : start.isPending ? 'Queuing the job…' : null;

  return (
    <Card>
      {error && <Alert>{error}</Alert>}
      <div className="form-row">
        <Field label="Dataset" className="grow min-w-md">
          <Select
            value={versionId}
            onChange={(e) => setVersionId(e.target.value)}
            data-testid="training-dataset"
            aria-label="Dataset"
          >
            <option value="">Choose…</option>
            {datasets.data?.map((d) =>
              d.latest ? (
                <option key={d.id} value={d.latest.id}>
                  {d.name} v{d.latest.version} · {d.latest.rowCount} rows ·{' '}
                  {d.latest.labelKind === 'none' ? 'unlabelled' : `${d.latest.labelKind} ${d.latest.labelName}`}
                </option>
              ) : null,
            )}
          </Select>
        </Field>
        <Field label="Model kind" className="min-w-md">
          <Select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="training-kind">
            {allowed.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className="form-row mt-3">
        <Field label="Experiment" className="grow">
          <Input
            value={experiment}
            onChange={(e) => setExperiment(e.target.value)}
            placeholder={version ? `default: ${version.name}` : 'default: the dataset name'}
          />
        </Field>
        <Field label="Register as model" className="grow">
          <Input
            value={modelName}
            onChange={(e) => setModelName(e.target.value)}
            placeholder="default: the experiment name"
          />
        </Field>
        <Field label="Tags (comma-separated)" className="grow">
          <Input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="e.g. baseline" />
        </Field>
      </div>
      <h2 className="mt-4">Hyperparameters</h2>
      <p className="muted text-sm mt-1">
        Pre-filled with the defaults of {KIND_LABELS[kind]}. Splits are by {version?.latest?.groupBy ?? 'group'}, never
        by row; training stops early when the validation loss stops improving.
      </p>
      <div className="form-row mt-2">
        {shown.map((f) => (
          <Field key={f.key} label={f.label} error={errorOf(f.key)}>
            {(p) => (
              <Input
                {...p}
                width={f.list ? 'md' : 'sm'}
                inputMode={f.list ? 'text' : 'decimal'}
                value={values[f.key] ?? ''}
                onChange={(e) => {
                  setSaveIssues([]);
                  setEdits({ ...edits, [kind]: { ...edits[kind], [f.key]: e.target.value } });
                }}
                data-testid={`param-${f.key}`}
              />
            )}
          </Field>
        ))}
      </div>
      <div className="toolbar justify-end mt-4">
        {blocked && (
          <span className="muted text-sm" id="start-blocked">
            {blocked}
          </span>
        )}
        <Button
          variant="primary"
          disabled={blocked !== null}
          aria-describedby={blocked ? 'start-blocked' : undefined}
          onClick={() => {
            setError(null);
            setTried(true);
            setSaveIssues([]);
            if (issues.length > 0) return;
            start.mutate(
              {
                org,
                datasetVersionId: versionId,
                kind,
                ...(experiment.trim() ? { experiment: experiment.trim() } : {}),
                ...(modelName.trim() ? { modelName: modelName.trim() } : {}),
                tags: tags
                  .split(',')
                  .map((t) => t.trim())
                  .filter(Boolean),
                params,
              },
              {
                onError: (e) => {
                  const atFields = serverIssues(e).filter((i) => pathKey(i.path).startsWith('params.'));
                  setSaveIssues(atFields);
                  // Issues that belong to a field are shown there; the banner is for the rest.
                  if (atFields.length === 0) setError(errorMessage(e));
                },
                onSuccess: (job) => router.push(`/${org}/training/${job.id}`),
              },
            );
          }}
        >
          {start.isPending ? 'Queuing…' : 'Start training'}
        </Button>
      </div>
    </Card>
  );
}
