'use client';

import { Time, useTimeFormat } from '~/components/ui/time';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import { faultTypes as FAULT_TYPES } from '~/server/contracts/scenario';
import { CMAPSS_PRESET, DEFAULT_RUL_CAP } from '~/server/contracts/training';
import { Alert, Button, Card, EmptyState, Field, Input, Select, Table } from '~/components/ui';

/** A dataset from finished runs or a campaign (offline store + fault events), or from an uploaded file. */
export function DatasetCreate({ org, initialSource }: { org: string; initialSource: 'runs' | 'upload' }) {
  const [source, setSource] = useState(initialSource);
  return (
    <>
      <nav className="tabs mb-4" aria-label="Dataset source">
        <a
          href="#runs"
          aria-current={source === 'runs' ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            setSource('runs');
          }}
        >
          From runs or a campaign
        </a>
        <a
          href="#upload"
          aria-current={source === 'upload' ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            setSource('upload');
          }}
        >
          Upload a file
        </a>
      </nav>
      {source === 'runs' ? <FromRuns org={org} /> : <Upload org={org} />}
    </>
  );
}

function FromRuns({ org }: { org: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const runs = useQuery(trpc.runs.list.queryOptions({ org, state: 'completed', limit: 200 }));
  const times = useTimeFormat();
  const campaigns = useQuery(trpc.campaigns.list.queryOptions({ org }));
  const create = useMutation(trpc.datasets.createFromRuns.mutationOptions());
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'runs' | 'campaign'>('runs');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [campaignId, setCampaignId] = useState('');
  const [windows, setWindows] = useState<'tumbling-1' | 'sliding-10'>('tumbling-1');
  const [target, setTarget] = useState<'binary' | 'fault-type'>('binary');
  const [groupBy, setGroupBy] = useState<'run' | 'vehicle'>('run');
  const [egoOnly, setEgoOnly] = useState(false);
  const [faultTypes, setFaultTypes] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const toggle = (id: string) =>
    setSelected((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));

  return (
    <Card>
      {error && <Alert>{error}</Alert>}
      <div className="form-row">
        <Field label="Dataset name" className="grow min-w-md">
          <Input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Highway faults"
            data-testid="dataset-name"
          />
        </Field>
        <SelectField
          label="Windows"
          value={windows}
          onChange={setWindows}
          options={[
            ['tumbling-1', 'Tumbling, 1 s'],
            ['sliding-10', 'Sliding, 10 s (hop 1 s)'],
          ]}
        />
        <SelectField
          label="Label"
          value={target}
          onChange={setTarget}
          options={[
            ['binary', 'Normal vs fault'],
            ['fault-type', 'Fault type'],
          ]}
        />
        <SelectField
          label="Split by"
          value={groupBy}
          onChange={setGroupBy}
          options={[
            ['run', 'Run'],
            ['vehicle', 'Vehicle'],
          ]}
        />
      </div>
      <p className="muted text-sm">
        A window is faulty when it overlaps a fault of its vehicle, from the run&apos;s <code>fault_start</code> to its{' '}
        <code>fault_end</code> event. Features come from feature set v1.
      </p>
      <div className="form-row mt-2">
        <label className="muted text-sm flex gap-1 items-center">
          <input type="checkbox" checked={egoOnly} onChange={(e) => setEgoOnly(e.target.checked)} /> Ego vehicle only
        </label>
        <span className="muted text-sm">Faults that count:</span>
        {FAULT_TYPES.map((f) => (
          <label key={f} className="text-sm flex gap-1 items-center">
            <input
              type="checkbox"
              checked={faultTypes.includes(f)}
              onChange={(e) => setFaultTypes(e.target.checked ? [...faultTypes, f] : faultTypes.filter((x) => x !== f))}
            />
            {f.replace(/_/g, ' ')}
          </label>
        ))}
        {faultTypes.length === 0 && <span className="muted text-xs">(none ticked = all)</span>}
      </div>

      <div className="toolbar mt-4 gap-4">
        <label className="flex gap-1 items-center">
          <input type="radio" checked={mode === 'runs'} onChange={() => setMode('runs')} /> Chosen runs
        </label>
        <label className="flex gap-1 items-center">
          <input type="radio" checked={mode === 'campaign'} onChange={() => setMode('campaign')} /> All runs of a
          campaign
        </label>
      </div>
      {mode === 'campaign' ? (
        <Field label="Campaign" className="mt-3">
          <Select className="max-w-sm" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
            <option value="">Choose…</option>
            {campaigns.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} · {c.done}/{c.runCount} runs done
              </option>
            ))}
          </Select>
        </Field>
      ) : (
        <div className="scroll-box mt-3">
          {runs.data && runs.data.length === 0 ? (
            <EmptyState>No finished runs yet.</EmptyState>
          ) : (
            <Table data-testid="dataset-runs">
              <thead>
                <tr>
                  <th className="w-3xs" />
                  <th>Run</th>
                  <th>Started</th>
                  <th className="num">Length</th>
                  <th>Finished</th>
                </tr>
              </thead>
              <tbody>
                {runs.data?.map((r) => {
                  // Runs have no names of their own: the scenario and when it ran tell them apart.
                  const runName = `${r.scenarioName} v${r.version}`;
                  const at = r.startedAt ?? r.createdAt;
                  return (
                    <tr key={r.id} onClick={() => toggle(r.id)} className="cursor-pointer" data-run={r.id}>
                      <td>
                        <input
                          type="checkbox"
                          checked={selected.has(r.id)}
                          readOnly
                          aria-label={`select run ${runName} started ${times.time(at)}`}
                        />
                      </td>
                      <td>
                        <a href={`/${org}/runs/${r.id}`} onClick={(e) => e.stopPropagation()}>
                          {runName}
                        </a>
                      </td>
                      <td className="muted nowrap">
                        <Time value={at} />
                      </td>
                      <td className="num">{r.simTime ? `${Math.round(r.simTime)} s` : '—'}</td>
                      <td className="muted">{relative(r.finishedAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </Table>
          )}
        </div>
      )}
      <div className="toolbar justify-end mt-4">
        <Button
          variant="primary"
          disabled={!name.trim() || create.isPending || (mode === 'runs' ? selected.size === 0 : !campaignId)}
          onClick={() => {
            setError(null);
            const [windowKind, windowSize] =
              windows === 'tumbling-1' ? (['tumbling', 1] as const) : (['sliding', 10] as const);
            create.mutate(
              {
                org,
                name: name.trim(),
                spec: {
                  source: 'offline',
                  ...(mode === 'runs' ? { runIds: [...selected] } : { campaignId }),
                  windowKind,
                  windowSize,
                  groupBy,
                  vehicleIds: egoOnly ? ['ego'] : [],
                  label: { type: 'fault-overlap', target, faultTypes: faultTypes as never },
                },
              },
              {
                onError: (e) => setError(errorMessage(e)),
                onSuccess: (v) => router.push(`/${org}/datasets/${v.datasetId}`),
              },
            );
          }}
        >
          {create.isPending ? 'Building…' : 'Build dataset'}
        </Button>
      </div>
    </Card>
  );
}

function Upload({ org }: { org: string }) {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [columns, setColumns] = useState('');
  const [groupColumn, setGroupColumn] = useState('');
  const [orderColumn, setOrderColumn] = useState('');
  const [featureColumns, setFeatureColumns] = useState('');
  const [label, setLabel] = useState<'rul' | 'column' | 'none'>('rul');
  const [labelColumn, setLabelColumn] = useState('');
  const [labelKind, setLabelKind] = useState<'binary' | 'multiclass' | 'regression'>('binary');
  const [cap, setCap] = useState(DEFAULT_RUL_CAP);
  const [groupKind, setGroupKind] = useState<'unit' | 'vehicle' | 'run'>('unit');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = (s: string) =>
    s
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean);

  const cmapss = () => {
    setColumns(CMAPSS_PRESET.columns.join(' '));
    setGroupColumn('unit');
    setOrderColumn('cycle');
    setFeatureColumns(CMAPSS_PRESET.featureColumns.join(' '));
    setLabel('rul');
    setCap(DEFAULT_RUL_CAP);
    setGroupKind('unit');
  };

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    const options = {
      name: name.trim(),
      format: 'auto',
      ...(columns.trim() ? { columns: list(columns) } : {}),
      groupColumn: groupColumn.trim(),
      ...(orderColumn.trim() ? { orderColumn: orderColumn.trim() } : {}),
      ...(featureColumns.trim() ? { featureColumns: list(featureColumns) } : {}),
      label:
        label === 'rul'
          ? { type: 'rul', cap }
          : label === 'column'
            ? { type: 'column', column: labelColumn.trim(), kind: labelKind }
            : { type: 'none' },
      groupKind,
    };
    const form = new FormData();
    form.set('file', file);
    form.set('options', JSON.stringify(options));
    try {
      const res = await fetch(`/api/v1/datasets/upload?org=${encodeURIComponent(org)}`, { method: 'POST', body: form });
      const body = (await res.json()) as {
        datasetId?: string;
        error?: string;
        issues?: { path: string; message: string }[];
      };
      if (!res.ok)
        throw new Error(
          body.issues?.length
            ? `${body.error}: ${body.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`
            : (body.error ?? `upload failed (${res.status})`),
        );
      router.push(`/${org}/datasets/${body.datasetId}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <Card>
      {error && <Alert>{error}</Alert>}
      <div className="form-row">
        <Field label="File (CSV, or whitespace-separated like C-MAPSS; up to 50 MB)" className="grow min-w-md">
          <Input
            type="file"
            accept=".csv,.txt,.tsv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="upload-file"
          />
        </Field>
        <Field label="Dataset name" className="grow min-w-sm">
          <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. FD001" />
        </Field>
        <div className="field self-end">
          <Button type="button" onClick={cmapss}>
            C-MAPSS preset
          </Button>
        </div>
      </div>
      <div className="form-row mt-3">
        <Field label="Column names (for files without a header; space or comma separated)" className="grow">
          <Input
            value={columns}
            onChange={(e) => setColumns(e.target.value)}
            placeholder="leave empty when the file has a header"
          />
        </Field>
      </div>
      <div className="form-row mt-3">
        <Field label="Group column">
          <Input width="sm" value={groupColumn} onChange={(e) => setGroupColumn(e.target.value)} placeholder="unit" />
        </Field>
        <SelectField
          label="Group is a"
          value={groupKind}
          onChange={setGroupKind}
          options={[
            ['unit', 'unit'],
            ['vehicle', 'vehicle'],
            ['run', 'run'],
          ]}
        />
        <Field label="Order column">
          <Input
            width="sm"
            value={orderColumn}
            onChange={(e) => setOrderColumn(e.target.value)}
            placeholder="cycle (optional)"
          />
        </Field>
        <Field label="Feature columns" className="grow">
          <Input
            value={featureColumns}
            onChange={(e) => setFeatureColumns(e.target.value)}
            placeholder="default: every numeric column"
          />
        </Field>
      </div>
      <div className="form-row mt-3">
        <SelectField
          label="Label"
          value={label}
          onChange={setLabel}
          options={[
            ['rul', 'Remaining useful life (piecewise linear, capped)'],
            ['column', 'A column'],
            ['none', 'None (anomaly detection)'],
          ]}
        />
        {label === 'rul' && (
          <Field label="RUL cap">
            <Input width="xs" type="number" min={1} value={cap} onChange={(e) => setCap(e.target.valueAsNumber)} />
          </Field>
        )}
        {label === 'column' && (
          <>
            <Field label="Label column">
              <Input width="sm" value={labelColumn} onChange={(e) => setLabelColumn(e.target.value)} />
            </Field>
            <SelectField
              label="Label kind"
              value={labelKind}
              onChange={setLabelKind}
              options={[
                ['binary', 'binary'],
                ['multiclass', 'classes'],
                ['regression', 'number'],
              ]}
            />
          </>
        )}
      </div>
      <div className="toolbar justify-end mt-4">
        <Button
          variant="primary"
          disabled={!file || !name.trim() || !groupColumn.trim() || busy}
          onClick={() => void submit()}
        >
          {busy ? 'Uploading…' : 'Upload and build'}
        </Button>
      </div>
    </Card>
  );
}

/** A labelled select of fixed options. */
function SelectField<T extends string>({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: T;
  onChange: (v: T) => void;
  options: readonly (readonly [T, string])[];
}) {
  return (
    <div className="field">
      <label>
        {label}
        <Select value={value} onChange={(e) => onChange(e.target.value as T)}>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </Select>
      </label>
    </div>
  );
}
