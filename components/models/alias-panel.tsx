'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import type { MetricGate } from '~/server/models/gate';
import type { ModelDetail } from './types';
import { Button, Card, ConfirmButton, Input, Select, Table } from '~/components/ui';

type GateMode = 'none' | 'min' | 'max' | 'better';

/** Aliases of a model with their moves: promote (with a metric gate), roll back, canary, delete. */
export function AliasPanel({
  org,
  model,
  canMove,
  canDeploy,
  onMoved,
}: {
  org: string;
  model: ModelDetail;
  canMove: boolean;
  canDeploy: boolean;
  onMoved: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const promote = useMutation(trpc.models.promote.mutationOptions());
  const rollback = useMutation(trpc.models.rollback.mutationOptions());
  const setCanary = useMutation(trpc.models.setCanary.mutationOptions());
  const clearCanary = useMutation(trpc.models.clearCanary.mutationOptions());
  const deleteAlias = useMutation(trpc.models.deleteAlias.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const latest = model.versions[0];
  const [versionId, setVersionId] = useState(latest?.id ?? '');
  const [alias, setAlias] = useState(canDeploy ? 'production' : 'staging');
  const [gateMode, setGateMode] = useState<GateMode>('none');
  const [metric, setMetric] = useState(model.mainMetric ?? model.metricNames[0] ?? '');
  const [threshold, setThreshold] = useState('');
  const [canaryAlias, setCanaryAlias] = useState(model.aliases[0]?.name ?? '');
  const [canaryVersion, setCanaryVersion] = useState(latest?.id ?? '');
  const [canaryPct, setCanaryPct] = useState('10');
  const busy =
    promote.isPending || rollback.isPending || setCanary.isPending || clearCanary.isPending || deleteAlias.isPending;
  const allowed = (name: string) => (name === 'production' ? canDeploy : canMove);

  async function run(
    label: (r: { version: number | null }) => string,
    action: () => Promise<{ version: number | null; published: boolean }>,
  ) {
    setError(null);
    setDone(null);
    try {
      const r = await action();
      setDone(
        label(r) +
          (r.published
            ? ''
            : ' — saved, but the inference workers could not be notified; they pick it up when they restart.'),
      );
      await onMoved();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  function gate(): MetricGate | null {
    if (gateMode === 'none') return null;
    if (gateMode === 'better') return { metric, better: true };
    const value = Number(threshold);
    return gateMode === 'min' ? { metric, min: value } : { metric, max: value };
  }

  const versionLabel = (id: string | null) => {
    const v = model.versions.find((x) => x.id === id);
    return v ? `v${v.version}` : '—';
  };

  return (
    <Card data-testid="alias-panel">
      <h2>Aliases</h2>
      <div className="sub">
        Inference serves what an alias points at; every move is audited and announced on dl.models.
      </div>
      {error && (
        <div className="alert alert-error mt-3" role="alert">
          {error}
        </div>
      )}
      {done && (
        <div className="alert alert-ok mt-3" role="status">
          {done}
        </div>
      )}
      {model.aliases.length === 0 ? (
        <div className="empty pl-0">
          No aliases yet. Promote a version to <code>staging</code> or <code>production</code>.
        </div>
      ) : (
        <Table compact className="mt-2" data-testid="alias-table">
          <thead>
            <tr>
              <th>Alias</th>
              <th>Version</th>
              <th>Canary</th>
              {canMove && <th />}
            </tr>
          </thead>
          <tbody>
            {model.aliases.map((a) => (
              <tr key={a.name} data-testid={`alias-row-${a.name}`}>
                <td>
                  <span className={`alias-pill${a.name === 'production' ? ' alias-production' : ''}`}>{a.name}</span>
                  <div className="muted text-2xs mt-1 nowrap">moved {relative(a.updatedAt)}</div>
                </td>
                <td data-testid={`alias-version-${a.name}`}>{a.version === null ? '—' : `v${a.version}`}</td>
                <td className="nowrap">
                  {a.canaryVersion !== null ? (
                    <span className="alias-canary">
                      v{a.canaryVersion} · {Math.round(a.canaryWeight * 100)}%
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                {canMove && (
                  <td className="actions">
                    <div className="toolbar justify-end gap-1 flex-nowrap">
                      <Button
                        size="sm"
                        disabled={busy || !allowed(a.name)}
                        title={allowed(a.name) ? undefined : 'Needs the admin role'}
                        onClick={() =>
                          run(
                            (r) => `${a.name} rolled back to v${r.version}`,
                            () => rollback.mutateAsync({ org, modelId: model.id, alias: a.name }),
                          )
                        }
                      >
                        Roll back
                      </Button>
                      {a.canaryVersion !== null && (
                        <Button
                          size="sm"
                          disabled={busy || !canDeploy}
                          onClick={() =>
                            run(
                              () => `${a.name}: canary cleared`,
                              () => clearCanary.mutateAsync({ org, modelId: model.id, alias: a.name }),
                            )
                          }
                        >
                          End canary
                        </Button>
                      )}
                      <ConfirmButton
                        size="sm"
                        disabled={busy || !allowed(a.name)}
                        title={`Delete the alias "${a.name}"?`}
                        message="Whatever serves it stops."
                        confirmLabel="Delete alias"
                        onConfirm={() =>
                          run(
                            () => `${a.name} deleted`,
                            () => deleteAlias.mutateAsync({ org, modelId: model.id, alias: a.name }),
                          )
                        }
                      >
                        Delete
                      </ConfirmButton>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {!canMove && (
        <div className="muted text-xs mt-2">
          Engineers move aliases; admins move <code>production</code> and canaries.
        </div>
      )}

      {canMove && model.versions.length > 0 && (
        <form
          className="mt-4"
          onSubmit={(e) => {
            e.preventDefault();
            const g = gate();
            if (g && !('better' in g) && !Number.isFinite(Number(threshold))) {
              setError('Enter a number for the gate threshold');
              return;
            }
            void run(
              (r) => `${alias} → v${r.version}`,
              () => promote.mutateAsync({ org, modelId: model.id, versionId, alias: alias.trim(), gate: g }),
            );
          }}
        >
          <h3 className="section-title mt-0 mb-2">Promote</h3>
          <div className="form-row">
            <div className="field w-xs">
              <label htmlFor="promote-version">Version</label>
              <Select id="promote-version" value={versionId} onChange={(e) => setVersionId(e.target.value)}>
                {model.versions.map((v) => (
                  <option key={v.id} value={v.id}>
                    v{v.version}
                  </option>
                ))}
              </Select>
            </div>
            <div className="field w-sm">
              <label htmlFor="promote-alias">Alias</label>
              <Input
                id="promote-alias"
                list="alias-names"
                value={alias}
                onChange={(e) => setAlias(e.target.value)}
                required
              />
              <datalist id="alias-names">
                {[...new Set(['production', 'staging', ...model.aliases.map((a) => a.name)])].map((n) => (
                  <option key={n} value={n} />
                ))}
              </datalist>
            </div>
            <div className="field w-md">
              <label htmlFor="promote-gate">Gate</label>
              <Select id="promote-gate" value={gateMode} onChange={(e) => setGateMode(e.target.value as GateMode)}>
                <option value="none">No gate</option>
                <option value="min">Metric at least</option>
                <option value="max">Metric at most</option>
                <option value="better">Better than current</option>
              </Select>
            </div>
            {gateMode !== 'none' && (
              <div className="field w-sm">
                <label htmlFor="promote-metric">Metric</label>
                <Select id="promote-metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
                  {model.metricNames.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </Select>
              </div>
            )}
            {(gateMode === 'min' || gateMode === 'max') && (
              <div className="field w-xs">
                <label htmlFor="promote-threshold">Threshold</label>
                <Input
                  id="promote-threshold"
                  inputMode="decimal"
                  value={threshold}
                  onChange={(e) => setThreshold(e.target.value)}
                  required
                />
              </div>
            )}
            <Button variant="primary" type="submit" disabled={busy || (alias.trim() === 'production' && !canDeploy)}>
              Promote
            </Button>
          </div>
          {!canDeploy && (
            <div className="muted text-xs mt-2">
              Moving <code>production</code> and canaries needs an admin.
            </div>
          )}
        </form>
      )}

      {canDeploy && model.aliases.length > 0 && model.versions.length > 1 && (
        <form
          className="mt-4"
          onSubmit={(e) => {
            e.preventDefault();
            const pct = Number(canaryPct);
            if (!Number.isFinite(pct) || pct < 0 || pct > 100) {
              setError('The canary share is a percentage from 0 to 100');
              return;
            }
            void run(
              () => `${canaryAlias}: canary ${versionLabel(canaryVersion)} at ${pct}%`,
              () =>
                setCanary.mutateAsync({
                  org,
                  modelId: model.id,
                  alias: canaryAlias,
                  versionId: canaryVersion,
                  weight: pct / 100,
                }),
            );
          }}
        >
          <h3 className="section-title mt-0 mb-2">Canary</h3>
          <div className="form-row">
            <div className="field w-sm">
              <label htmlFor="canary-alias">Canary alias</label>
              <Select id="canary-alias" value={canaryAlias} onChange={(e) => setCanaryAlias(e.target.value)}>
                {model.aliases.map((a) => (
                  <option key={a.name} value={a.name}>
                    {a.name} (v{a.version})
                  </option>
                ))}
              </Select>
            </div>
            <div className="field w-xs">
              <label htmlFor="canary-version">Canary version</label>
              <Select id="canary-version" value={canaryVersion} onChange={(e) => setCanaryVersion(e.target.value)}>
                {model.versions.map((v) => (
                  <option key={v.id} value={v.id}>
                    v{v.version}
                  </option>
                ))}
              </Select>
            </div>
            <div className="field w-xs">
              <label htmlFor="canary-share">Share (%)</label>
              <Input
                id="canary-share"
                inputMode="decimal"
                value={canaryPct}
                onChange={(e) => setCanaryPct(e.target.value)}
              />
            </div>
            <Button type="submit" disabled={busy}>
              Start canary
            </Button>
          </div>
          <div className="muted text-xs mt-2">
            Vehicles are split by a hash of their id, so each one stays on one version.
          </div>
        </form>
      )}
    </Card>
  );
}
