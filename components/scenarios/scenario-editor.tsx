'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import {
  driverProfiles,
  faultTypes,
  scenarioSchema,
  sensorChannels,
  vehicleBlueprints,
  weatherPresetNames,
  type Scenario,
} from '~/server/contracts/scenario';
import { friendlyIssue, pathKey, serverIssues, type FieldInfo, type IssueLike } from '~/components/forms/issues';
import { errorMessage } from '~/components/trpc/error-message';
import { downloadBlob } from '~/components/ui/download';
import { relative } from '~/components/ui/format';
import {
  Alert,
  Button,
  Card,
  EmptyState,
  Field,
  Input,
  SectionTitle,
  Select,
  StateBadge,
  Table,
} from '~/components/ui';
import { useTRPC } from '~/components/trpc/react';
import { MapPlacement } from './map-placement';

type Path = (string | number)[];

/** "Start (s)" → Start in s, "Fog %" → Fog in %: the unit a bound is said in. */
function fieldInfo(label: string): FieldInfo {
  const m = /^(.*?)\s*(?:\(([^)]+)\)|(%|°))$/.exec(label);
  if (!m) return { label };
  const unit = m[2] ?? m[3];
  // "(0–1)" and "(m/s)" alike sit in brackets; only the latter is a unit.
  return /\d/.test(unit ?? '') ? { label: m[1]! } : { label: m[1]!, unit };
}

function setIn<T>(obj: T, path: Path, value: unknown): T {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let node = copy;
  path.slice(0, -1).forEach((k) => {
    node[k] = node[k] ?? {};
    node = node[k] as Record<string | number, unknown>;
  });
  const last = path[path.length - 1]!;
  // A path from the editor's own field list, not user input: removing it clears the field.
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return copy as T;
}

/** A select's value at `path` of the spec: '' where the path is missing or holds no scalar. */
function textAt(spec: unknown, path: Path): string {
  const v = path.reduce<unknown>(
    (o, k) => (o !== null && typeof o === 'object' ? (o as Record<string | number, unknown>)[k] : undefined),
    spec,
  );
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

export function ScenarioEditor({
  org,
  scenarioId,
  initial,
  canEdit,
}: {
  org: string;
  scenarioId?: string;
  initial: Scenario;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [spec, setSpec] = useState<Scenario>(initial);
  const [saved, setSaved] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const create = useMutation(trpc.scenarios.create.mutationOptions());
  const update = useMutation(trpc.scenarios.update.mutationOptions());
  const start = useMutation(trpc.runs.start.mutationOptions());
  const runs = useQuery({
    ...trpc.runs.list.queryOptions({ org, scenarioId: scenarioId ?? '-', limit: 10 }),
    enabled: Boolean(scenarioId),
  });

  const validation = useMemo(() => scenarioSchema.safeParse(spec), [spec]);
  // The server's issues for the last save (paths under `spec.`), shown at their fields as well.
  const [saveIssues, setSaveIssues] = useState<IssueLike[]>([]);
  const issues = useMemo(() => {
    const out: Record<string, IssueLike> = {};
    if (!validation.success) for (const i of validation.error.issues) out[pathKey(i.path)] ??= i;
    for (const i of saveIssues) out[pathKey(i.path).replace(/^spec\./, '')] ??= i;
    return out;
  }, [validation, saveIssues]);
  /** The error of the field at `path` in words, labelled as the form labels it. */
  const errAt = (path: Path, label: string) => {
    const issue = issues[path.join('.')];
    return issue ? friendlyIssue(issue, fieldInfo(label)) : undefined;
  };
  const set = (path: Path, value: unknown) => {
    setSaved(null);
    setSpec((s) => setIn(s, path, value));
  };
  const num = (path: Path, label: string, opts: { step?: number; min?: number; max?: number; hint?: string } = {}) => (
    <Field label={label} error={errAt(path, label)} hint={opts.hint}>
      <Input
        type="number"
        step={opts.step ?? 'any'}
        min={opts.min}
        max={opts.max}
        disabled={!canEdit}
        aria-invalid={errAt(path, label) ? 'true' : 'false'}
        defaultValue={
          path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], spec) as
            number | undefined
        }
        onChange={(e) =>
          set(
            path,
            Number.isNaN(e.target.valueAsNumber)
              ? e.target.value === ''
                ? undefined
                : Number.NaN
              : e.target.valueAsNumber,
          )
        }
      />
    </Field>
  );
  const select = (path: Path, label: string, options: readonly string[], labels?: Record<string, string>) => (
    <Field label={label} error={errAt(path, label)}>
      <Select disabled={!canEdit} value={textAt(spec, path)} onChange={(e) => set(path, e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {labels?.[o] ?? o}
          </option>
        ))}
      </Select>
    </Field>
  );

  const save = async () => {
    setServerError(null);
    setSaveIssues([]);
    if (!validation.success) return;
    try {
      if (scenarioId) {
        const r = await update.mutateAsync({ org, id: scenarioId, name: spec.name, spec });
        setSaved(`Saved as version ${r.version}.`);
        router.refresh();
      } else {
        const r = await create.mutateAsync({ org, name: spec.name, spec });
        router.push(`/${org}/scenarios/${r.id}`);
      }
    } catch (e) {
      const fieldIssues = serverIssues(e).filter((i) => pathKey(i.path).startsWith('spec.'));
      setSaveIssues(fieldIssues);
      // Issues that belong to a field are shown there; the banner is for the rest.
      if (fieldIssues.length === 0) setServerError(errorMessage(e));
    }
  };

  // An export is fetched, then saved as a file; a failure shows in the banner like a save's.
  const exportFile = async (load: () => Promise<{ blob: Blob; filename: string }>) => {
    setServerError(null);
    try {
      const { blob, filename } = await load();
      downloadBlob(blob, filename);
    } catch (e) {
      setServerError(errorMessage(e));
    }
  };

  const issueCount = validation.success ? 0 : validation.error.issues.length;
  return (
    <>
      <div className="toolbar justify-between mb-4">
        <div className="field m-0 grow max-w-md">
          <Input
            className="input-title"
            aria-label="Scenario name"
            value={spec.name}
            disabled={!canEdit}
            onChange={(e) => set(['name'], e.target.value)}
          />
        </div>
        {canEdit && (
          <div className="toolbar">
            {issueCount > 0 && (
              <span className="field-error">
                {issueCount} problem{issueCount > 1 ? 's' : ''} to fix
              </span>
            )}
            {saved && <span className="muted text-sm">{saved}</span>}
            <Button
              variant="primary"
              disabled={!validation.success || create.isPending || update.isPending}
              disabledReason={validation.success ? 'Saving…' : 'Fix the fields marked in red first'}
              onClick={() => void save()}
            >
              {scenarioId ? 'Save new version' : 'Create scenario'}
            </Button>
            {scenarioId && (
              <Button
                onClick={() =>
                  exportFile(async () => {
                    const file = await queryClient.query(
                      trpc.scenarios.exportXosc.queryOptions({ org, id: scenarioId }),
                    );
                    return { blob: new Blob([file.xml], { type: 'application/xml' }), filename: file.filename };
                  })
                }
              >
                Export OpenSCENARIO
              </Button>
            )}
            {scenarioId && (
              <Button
                onClick={() =>
                  exportFile(async () => {
                    const file = await queryClient.query(
                      trpc.scenarios.exportCarlaBundle.queryOptions({ org, id: scenarioId }),
                    );
                    const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
                    return { blob: new Blob([bytes], { type: 'application/zip' }), filename: file.filename };
                  })
                }
              >
                Download for CARLA
              </Button>
            )}
            {scenarioId && (
              <Button
                disabled={start.isPending}
                onClick={async () => {
                  setServerError(null);
                  try {
                    const run = await start.mutateAsync({ org, scenarioId });
                    router.push(`/${org}/runs/${run.id}`);
                  } catch (e) {
                    setServerError(errorMessage(e));
                  }
                }}
              >
                Run latest version
              </Button>
            )}
          </div>
        )}
      </div>
      {serverError && <Alert>{serverError}</Alert>}
      <div className="editor">
        <Card>
          <h2>World</h2>
          {select(['weather', 'preset'], 'Weather preset', weatherPresetNames)}
          <div className="grid-2">
            {num(['weather', 'precipitation'], 'Precipitation %', { min: 0, max: 100, hint: 'blank: from preset' })}
            {num(['weather', 'fog'], 'Fog %', { min: 0, max: 100, hint: 'blank: from preset' })}
            {num(['weather', 'wetness'], 'Wetness %', { min: 0, max: 100 })}
            {num(['weather', 'sunAltitude'], 'Sun altitude °', { min: -90, max: 90 })}
          </div>
          <Field label="Time of day" error={errAt(['timeOfDay'], 'Time of day')}>
            <Input value={spec.timeOfDay} disabled={!canEdit} onChange={(e) => set(['timeOfDay'], e.target.value)} />
          </Field>
        </Card>
        <Card>
          <h2>Ego vehicle</h2>
          {select(['ego', 'blueprint'], 'Blueprint', vehicleBlueprints)}
          {num(['ego', 'targetSpeed'], 'Target speed (m/s)', {
            min: 0,
            max: 70,
            hint: `${((spec.ego.targetSpeed || 0) * 3.6).toFixed(0)} km/h`,
          })}
          {select(['ego', 'driver'], 'Driver profile', driverProfiles)}
          <h2 className="mt-4">Traffic</h2>
          <div className="grid-2">
            {num(['traffic', 'vehicles'], 'Vehicles', { min: 0, max: 200, step: 1 })}
            {num(['traffic', 'pedestrians'], 'Pedestrians', { min: 0, max: 200, step: 1 })}
          </div>
          {num(['traffic', 'aggressiveness'], 'Aggressiveness (0–1)', { min: 0, max: 1, step: 0.05 })}
        </Card>
        <Card>
          <h2>Sensors and run</h2>
          <div className="grid-2">
            {num(['sensors', 'rateHz'], 'Rate (Hz)', { min: 10, max: 50, step: 1 })}
            {num(['sensors', 'dropoutRate'], 'Dropout rate (0–1)', { min: 0, max: 1, step: 0.01 })}
            {num(['durationS'], 'Duration (s)', { min: 1, max: 3600 })}
            {num(['seed'], 'Seed', { min: 0, step: 1 })}
          </div>
          <Field label="Speed" error={errAt(['timeFactor'], 'Speed')}>
            <Select
              disabled={!canEdit}
              value={spec.timeFactor === 'max' ? 'max' : String(spec.timeFactor)}
              onChange={(e) => set(['timeFactor'], e.target.value === 'max' ? 'max' : Number(e.target.value))}
            >
              {['1', '2', '5', '10', '50'].map((f) => (
                <option key={f} value={f}>
                  Real time × {f}
                </option>
              ))}
              <option value="max">As fast as possible</option>
            </Select>
          </Field>
        </Card>
        <Card className="col-span-full">
          <h2>Map and placement</h2>
          <MapPlacement org={org} spec={spec} canEdit={canEdit} set={set} errAt={errAt} />
        </Card>
        <Card className="col-span-full">
          <div className="toolbar justify-between">
            <h2>Injected faults</h2>
            {canEdit && (
              <Button
                size="sm"
                onClick={() =>
                  set(
                    ['faults'],
                    [
                      ...spec.faults,
                      {
                        type: 'engine_overheat',
                        vehicle: 'ego',
                        startS: Math.min(10, spec.durationS / 2),
                        rampS: 5,
                        severity: 0.7,
                      },
                    ],
                  )
                }
              >
                Add fault
              </Button>
            )}
          </div>
          {spec.faults.length === 0 && <p className="muted text-md">No faults: a nominal run.</p>}
          {spec.faults.map((f, i) => (
            <div key={i} className="form-row fault-row">
              <div className="w-md">{select(['faults', i, 'type'], 'Type', faultTypes)}</div>
              <div className="w-xs">
                <Field label="Vehicle" error={errAt(['faults', i, 'vehicle'], 'Vehicle')}>
                  <Input
                    disabled={!canEdit}
                    value={String(f.vehicle)}
                    onChange={(e) =>
                      set(
                        ['faults', i, 'vehicle'],
                        /^\d+$/.test(e.target.value) ? Number(e.target.value) : e.target.value,
                      )
                    }
                  />
                </Field>
              </div>
              <div className="w-xs">{num(['faults', i, 'startS'], 'Start (s)', { min: 0 })}</div>
              <div className="w-xs">{num(['faults', i, 'rampS'], 'Ramp (s)', { min: 0 })}</div>
              <div className="w-xs">{num(['faults', i, 'severity'], 'Severity', { min: 0, max: 1, step: 0.05 })}</div>
              <div className="w-xs">
                {num(['faults', i, 'durationS'], 'Lasts (s)', { min: 0, hint: 'blank: to the end' })}
              </div>
              {(f.type === 'sensor_dropout' || f.type === 'sensor_stuck') && (
                <div className="w-sm">{select(['faults', i, 'sensor'], 'Sensor', sensorChannels)}</div>
              )}
              {canEdit && (
                <Button
                  variant="danger"
                  size="sm"
                  className="mb-3"
                  onClick={() =>
                    set(
                      ['faults'],
                      spec.faults.filter((_, j) => j !== i),
                    )
                  }
                >
                  Remove
                </Button>
              )}
            </div>
          ))}
        </Card>
      </div>
      {scenarioId && (
        <>
          <SectionTitle>Recent runs of this scenario</SectionTitle>
          <Card flush>
            {runs.data && runs.data.length === 0 ? (
              <EmptyState>Not run yet.</EmptyState>
            ) : (
              <Table>
                <tbody>
                  {runs.data?.map((r) => (
                    <tr key={r.id}>
                      <td>
                        <a href={`/${org}/runs/${r.id}`}>Run of v{r.version}</a>
                      </td>
                      <td>
                        <StateBadge state={r.state} />
                      </td>
                      <td>{r.kpis ? `Driving score ${(r.kpis.drivingScore * 100).toFixed(1)}` : ''}</td>
                      <td className="muted">{relative(r.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
        </>
      )}
    </>
  );
}
