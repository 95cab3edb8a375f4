'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { useTRPC } from '~/components/trpc/react';
import { Button, Card, Field, Input, Select } from '~/components/ui';

/** Numeric and enum fields of a scenario that a sweep can vary, with sensible ranges. */
const SWEEPABLE = [
  { path: 'traffic.vehicles', label: 'Traffic vehicles', min: 0, max: 60, integer: true },
  { path: 'traffic.pedestrians', label: 'Pedestrians', min: 0, max: 60, integer: true },
  { path: 'traffic.aggressiveness', label: 'Traffic aggressiveness', min: 0, max: 1, integer: false },
  { path: 'ego.targetSpeed', label: 'Ego target speed (m/s)', min: 5, max: 40, integer: false },
  { path: 'sensors.dropoutRate', label: 'Sensor dropout rate', min: 0, max: 0.2, integer: false },
  { path: 'seed', label: 'Seed', min: 1, max: 1000, integer: true },
  {
    path: 'weather.preset',
    label: 'Weather preset',
    values: ['ClearNoon', 'CloudyNoon', 'WetNoon', 'HardRainNoon', 'ClearSunset', 'HardRainNight'],
  },
  { path: 'ego.driver', label: 'Driver profile', values: ['calm', 'normal', 'aggressive'] },
  { path: 'map', label: 'Map', values: ['urban_grid', 'highway_ring', 'rural_hills'] },
] as const;

type Dim = { path: string; min: number; max: number; integer: boolean; values?: string[] };

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

  const setDim = (i: number, d: Partial<Dim>) => setDims(dims.map((x, j) => (j === i ? { ...x, ...d } : x)));
  const chooseField = (i: number, path: string) => {
    const f = SWEEPABLE.find((s) => s.path === path)!;
    setDim(
      i,
      'values' in f
        ? { path, values: [...f.values], min: 0, max: 1, integer: false }
        : { path, min: f.min, max: f.max, integer: f.integer, values: undefined },
    );
  };

  return (
    <Card>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
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
          <Field label="Runs">
            <Input
              width="xs"
              type="number"
              min={1}
              max={500}
              value={runs}
              onChange={(e) => setRuns(e.target.valueAsNumber)}
            />
          </Field>
        )}
        <Field label="At most in parallel">
          <Input
            width="xs"
            type="number"
            min={1}
            max={32}
            value={maxConcurrent}
            onChange={(e) => setMaxConcurrent(e.target.valueAsNumber)}
          />
        </Field>
      </div>
      <h2 className="mt-4">Swept parameters</h2>
      {dims.map((d, i) => (
        <div key={i} className="form-row mt-2">
          <Field label="Parameter">
            <Select width="lg" value={d.path} onChange={(e) => chooseField(i, e.target.value)}>
              {SWEEPABLE.map((s) => (
                <option key={s.path} value={s.path}>
                  {s.label}
                </option>
              ))}
            </Select>
          </Field>
          {d.values ? (
            <Field label="Values (comma-separated)" className="grow">
              <Input
                value={d.values.join(', ')}
                onChange={(e) =>
                  setDim(i, {
                    values: e.target.value
                      .split(',')
                      .map((v) => v.trim())
                      .filter(Boolean),
                  })
                }
              />
            </Field>
          ) : (
            <>
              <Field label="From">
                <Input
                  width="xs"
                  type="number"
                  value={d.min}
                  onChange={(e) => setDim(i, { min: e.target.valueAsNumber })}
                />
              </Field>
              <Field label="To">
                <Input
                  width="xs"
                  type="number"
                  value={d.max}
                  onChange={(e) => setDim(i, { max: e.target.valueAsNumber })}
                />
              </Field>
            </>
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
        <Button
          variant="primary"
          disabled={create.isPending || !scenarioId}
          onClick={async () => {
            setError(null);
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
              setError(errorMessage(e));
            }
          }}
        >
          Launch campaign
        </Button>
      </div>
    </Card>
  );
}
