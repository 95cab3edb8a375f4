'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { useTRPC } from '~/components/trpc/react';
import { Alert, Button, Card, Field, Input, Select } from '~/components/ui';
import { pathKey, serverIssues, friendlyIssue } from '~/components/forms/issues';
import { campaignDraftErrors, sweepable, SWEEPABLE, type DimDraft } from './sweep-params';

type Dim = DimDraft;

// The two ends of a numeric sweep range, each edited in its own number field.
const RANGE_ENDS = [
  ['min', 'From'],
  ['max', 'To'],
] as const;

export function CampaignForm({ org }: { org: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const scenarios = useQuery(trpc.scenarios.list.queryOptions({ org }));
  const create = useMutation(trpc.campaigns.create.mutationOptions());
  const [name, setName] = useState('');
  const [scenarioId, setScenarioId] = useState('');
  const [strategy, setStrategy] = useState<'grid' | 'random' | 'lhs'>('lhs');
  const [runs, setRuns] = useState(12);
  const [maxConcurrent, setMaxConcurrent] = useState(2);
  const [dims, setDims] = useState<Dim[]>([
    { path: 'traffic.vehicles', min: 5, max: 40, integer: true },
    { path: 'ego.targetSpeed', min: 15, max: 35, integer: false },
  ]);
  const [error, setError] = useState<string | null>(null);
  // Errors show once the user tried to launch; then they follow every edit.
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const errors = { ...campaignDraftErrors({ strategy, runs, maxConcurrent, dims }), ...serverErrors };
  const err = (key: string) => (tried ? errors[key] : undefined);
  const blocked = !scenarioId
    ? 'Choose a scenario first'
    : create.isPending
      ? 'Launching…'
      : tried && Object.keys(errors).length > 0
        ? 'Fix the fields marked above'
        : null;

  const setDim = (i: number, d: Partial<Dim>) => {
    setServerErrors({});
    setDims(dims.map((x, j) => (j === i ? { ...x, ...d } : x)));
  };
  const chooseField = (i: number, path: string) => {
    const f = sweepable(path)!;
    setDim(
      i,
      'values' in f
        ? { path, values: [...f.values], min: 0, max: 1, integer: false }
        : { path, min: f.min, max: f.max, integer: f.integer, values: undefined },
    );
  };

  return (
    <Card>
      {error && <Alert>{error}</Alert>}
      <div className="form-row">
        <Field label="Campaign name" className="grow min-w-sm">
          <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Traffic density vs speed" />
        </Field>
        <Field label="Scenario" className="grow min-w-sm">
          <Select value={scenarioId} onChange={(e) => setScenarioId(e.target.value)}>
            <option value="">Choose…</option>
            {scenarios.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} (v{s.latestVersion})
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className="form-row mt-3">
        <Field label="Sampling">
          <Select width="md" value={strategy} onChange={(e) => setStrategy(e.target.value as typeof strategy)}>
            <option value="lhs">Latin hypercube</option>
            <option value="random">Random</option>
            <option value="grid">Grid (3 levels per range)</option>
          </Select>
        </Field>
        {strategy !== 'grid' && (
          <Field label="Runs" error={err('runs')}>
            {(p) => (
              <Input
                {...p}
                width="xs"
                type="number"
                min={1}
                max={500}
                value={runs}
                onChange={(e) => setRuns(e.target.valueAsNumber)}
              />
            )}
          </Field>
        )}
        <Field label="At most in parallel" error={err('maxConcurrent')}>
          {(p) => (
            <Input
              {...p}
              width="xs"
              type="number"
              min={1}
              max={32}
              value={maxConcurrent}
              onChange={(e) => setMaxConcurrent(e.target.valueAsNumber)}
            />
          )}
        </Field>
      </div>
      <h2 className="mt-4">Swept parameters</h2>
      {dims.map((d, i) => (
        <div key={i} className="form-row mt-2">
          <Field label="Parameter" error={err(`dims.${i}.path`)}>
            {(p) => (
              <Select {...p} width="lg" value={d.path} onChange={(e) => chooseField(i, e.target.value)}>
                {SWEEPABLE.map((s) => (
                  <option key={s.path} value={s.path}>
                    {'unit' in s && s.unit ? `${s.label} (${s.unit})` : s.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {d.values ? (
            <Field label="Values (comma-separated)" className="grow" error={err(`dims.${i}.values`)}>
              {(p) => (
                <Input
                  {...p}
                  value={(d.values ?? []).join(', ')}
                  onChange={(e) =>
                    setDim(i, {
                      values: e.target.value
                        .split(',')
                        .map((v) => v.trim())
                        .filter(Boolean),
                    })
                  }
                />
              )}
            </Field>
          ) : (
            RANGE_ENDS.map(([end, label]) => (
              <Field key={end} label={label} error={err(`dims.${i}.${end}`)}>
                {(p) => (
                  <Input
                    {...p}
                    width="xs"
                    type="number"
                    value={Number.isFinite(d[end]) ? d[end] : ''}
                    onChange={(e) => setDim(i, { [end]: e.target.valueAsNumber })}
                    data-testid={`dim-${i}-${end}`}
                  />
                )}
              </Field>
            ))
          )}
          <Button
            variant="danger"
            size="sm"
            className="mb-3"
            onClick={() => setDims(dims.filter((_, j) => j !== i))}
            disabled={dims.length === 1}
          >
            Remove
          </Button>
        </div>
      ))}
      <div className="toolbar mt-3 justify-between">
        <Button
          size="sm"
          onClick={() => setDims([...dims, { path: 'seed', min: 1, max: 1000, integer: true }])}
          disabled={dims.length >= 8}
        >
          Add parameter
        </Button>
        <span className="toolbar">
          {blocked && (
            <span className="muted text-sm" id="launch-blocked">
              {blocked}
            </span>
          )}
          <Button
            variant="primary"
            disabled={!scenarioId || create.isPending}
            aria-describedby={blocked ? 'launch-blocked' : undefined}
            onClick={async () => {
              setError(null);
              setTried(true);
              if (Object.keys(campaignDraftErrors({ strategy, runs, maxConcurrent, dims })).length > 0) return;
              try {
                const r = await create.mutateAsync({
                  org,
                  name: name || 'Untitled campaign',
                  scenarioId,
                  strategy,
                  runs,
                  maxConcurrent,
                  dimensions: dims.map((d) =>
                    d.values
                      ? { path: d.path, values: d.values }
                      : { path: d.path, min: d.min, max: d.max, integer: d.integer },
                  ),
                });
                router.push(`/${org}/campaigns/${r.id}`);
              } catch (e) {
                // The server's issues at their fields ("dimensions.1" is the second parameter's row).
                const atFields: Record<string, string> = {};
                for (const i of serverIssues(e)) {
                  const key = pathKey(i.path)
                    .replace(/^dimensions\.(\d+)$/, 'dims.$1.max')
                    .replace(/^dimensions\./, 'dims.');
                  if (/^(runs|maxConcurrent|dims\.\d+\.(min|max|values|path))$/.test(key))
                    atFields[key] ??= /max must be greater/.test(i.message)
                      ? 'To must be greater than From'
                      : friendlyIssue(i, {
                          label: key.endsWith('.min') ? 'From' : key.endsWith('.max') ? 'To' : 'This',
                        });
                }
                setServerErrors(atFields);
                if (Object.keys(atFields).length === 0) setError(errorMessage(e));
              }
            }}
          >
            Launch campaign
          </Button>
        </span>
      </div>
    </Card>
  );
}
